import CEBModel
import ClearanceIngest
import ClearanceRules
import ClearanceStore
import Foundation
import Logging

/// The clearance orchestrator: takes an accepted message, applies the life-cycle and
/// cross-message rules, decides its status ("declared", "awaiting documents", "refused"), routes
/// it, and stores message, status, events and outbox rows in **one transaction**.
///
/// Retail-import inventories are forwarded only after the three-document match, quota and tax
/// checks pass; until their order, payment and waybill are in they wait, and the arrival of the
/// last document releases them. Both sides re-check after committing, so concurrent arrivals
/// (several processes) cannot strand an inventory; the release itself is a guarded status
/// transition, so it happens once.
public final class ClearanceFlow: Sendable {

    private let store: any ClearanceFlowStore
    private let routing: @Sendable () -> RoutingTable
    private let rates: RetailImportTaxRates
    private let logger: Logger
    private let screen: CreditScreen
    /// Joins this process's releases of one waiting message (``ReleaseCoalescer``).
    private let releases = ReleaseCoalescer()
    /// The documents this flow is storing now, which an inventory missing them waits for (``DocumentsInFlight``).
    private let documentsInFlight: DocumentsInFlight
    /// How long an inventory waits for documents being stored before it is stored waiting itself
    /// (1 s by default: a group commit takes milliseconds; a store slower than that is not worth
    /// waiting for, the release after the documents' commit will take it).
    private let inFlightPatience: Duration

    /// Creates a flow.
    /// - Parameter routing: the routing table in force (e.g. `watcher.current`).
    /// - Parameter documentsInFlight: the documents being stored that inventories wait for (a test
    ///   marks some as being stored itself), at most `inFlightPatience`.
    public init(store: any ClearanceFlowStore, routing: @escaping @Sendable () -> RoutingTable,
                rates: RetailImportTaxRates = .current, logger: Logger = Logger(label: "clearance.flow"),
                documentsInFlight: DocumentsInFlight = DocumentsInFlight(), inFlightPatience: Duration = .seconds(1)) {
        self.store = store
        self.documentsInFlight = documentsInFlight
        self.inFlightPatience = inFlightPatience
        self.routing = routing
        self.rates = rates
        self.logger = logger
        self.screen = CreditScreen(store: store, routing: routing)
    }

    /// Takes one message (bare or in a `dxp:DxpMsg`).
    /// - Parameter signatureVerdict: the result of the caller's signature check, stored with the message.
    public func accept(_ bytes: [UInt8], receivedAt: Date = Date(), signatureVerdict: SignatureVerdict = .unchecked) async throws(FlowError) -> FlowOutcome {
        let message = try DecodedMessage.decode(bytes)
        return try await accept(message, receivedAt: receivedAt, signatureVerdict: signatureVerdict)
    }

    /// Takes one decoded message.
    public func accept(_ message: DecodedMessage, receivedAt: Date = Date(), signatureVerdict: SignatureVerdict = .unchecked) async throws(FlowError) -> FlowOutcome {
        var outcome = FlowOutcome(guid: message.guid, messageType: message.messageType, status: .invalid, rules: [], issues: [], released: [])
        guard message.errors.isEmpty else {
            outcome.issues = message.errors.map {
                CrossMessageIssue(code: $0.code, field: $0.field ?? "", message: $0.message)
            }
            return outcome
        }
        let record = MessageRecord(
            guid: message.guid, messageType: message.messageType, senderCode: message.senderCode ?? "",
            direction: .inbound, receivedAt: receivedAt, rawBytes: message.bytes, signatureVerdict: signatureVerdict.rawValue)
        var declarations: [DeclarationRecord] = []
        for document in message.documents {
            if case .declaration(let declaration) = DeclarationMapper.map(document, messageGuid: message.guid) {
                declarations.append(declaration)
            }
        }
        let now = receivedAt
        var events: [Event] = []
        var issues: [CrossMessageIssue] = []
        var awaitingMissing: [String]?
        // The numbers this message's documents would complete a waiting inventory with are being
        // stored until its transaction ends (``DocumentsInFlight``).
        var storing = DocumentsInFlight.keys(of: declarations)
        documentsInFlight.begin(storing)
        defer { documentsInFlight.end(storing) }

        // Life cycle of every declaration.
        do {
            for declaration in declarations {
                let (phase, storedGuid) = try await store.declarationPhase(
                    kind: declaration.kind.rawValue, businessKey: declaration.businessKey, senderCode: record.senderCode)
                let decision = LifecycleRules.decide(
                    appType: declaration.appType ?? "1", phase: phase, sameDocument: storedGuid == declaration.declarationGuid)
                switch decision {
                case .accept: break
                case .duplicate:
                    outcome.status = .duplicate
                    return outcome
                case .refuse(let issue): issues.append(issue)
                }
            }
        } catch {
            throw .history(error)
        }

        // Cross-message rules for retail-import inventories.
        if issues.isEmpty {
            for document in message.documents {
                guard case .inventory(let inventory) = document, InventoryClearanceCheck.applies(to: inventory.head) else { continue }
                var report: InventoryClearanceReport
                do {
                    report = try await InventoryClearanceCheck.evaluate(inventory, history: store, rates: rates)
                    // Missing documents being stored by this process right now: judged again once they are.
                    if case .awaiting = report.match,
                       await documentsInFlight.settled([.init(.orderNo, inventory.head.orderNo), .init(.logisticsNo, inventory.head.logisticsNo)],
                                                       patience: inFlightPatience) {
                        report = try await InventoryClearanceCheck.evaluate(inventory, history: store, rates: rates)
                    }
                } catch {
                    throw .history(error)
                }
                if case .awaiting(let missing) = report.match {
                    awaitingMissing = (awaitingMissing ?? []) + missing
                    events.append(Event(
                        kind: EventKind.awaitingDocuments, occurredAt: now, messageGuid: message.guid,
                        declarationGuid: inventory.head.guid, detail: "waiting for " + missing.joined(separator: ", ")))
                } else {
                    issues += report.issues
                    if report.mayForward {
                        events.append(Self.matchedEvent(inventory, report, at: now, messageGuid: message.guid))
                    }
                }
            }
        }

        // The export match: each export inventory against its order, receipt of payment and waybill.
        if issues.isEmpty {
            for document in message.documents {
                guard case .exportInventory(let inventory) = document else { continue }
                let linked: LinkedExportDocuments
                do {
                    linked = try await store.linkedExportDocuments(for: inventory.head)
                } catch {
                    throw .history(error)
                }
                switch ExportDocumentMatch.evaluate(inventory, linked) {
                case .mismatched(let found): issues += found
                case .matched: events.append(Self.exportMatchedEvent(inventory, missing: [], at: now, messageGuid: message.guid))
                case .incomplete(let missing): events.append(Self.exportMatchedEvent(inventory, missing: missing, at: now, messageGuid: message.guid))
                }
            }
        }

        let screened = try await screen.decide(
            RoutingFacts(messageType: message.messageType, documents: message.documents, senderCode: message.senderCode), at: now)
        let facts = screened.facts
        let decision = screened.decision
        let table = screened.table
        outcome.rules = decision.rules
        let status: DeclarationStatus
        var routes: [OutboxRoute] = []
        if !issues.isEmpty {
            status = .refused
            outcome.status = .refused
            outcome.issues = issues
            for issue in issues {
                events.append(Event(kind: .rejected, occurredAt: now, messageGuid: message.guid, code: issue.code, detail: issue.description))
            }
        } else if let missing = awaitingMissing {
            status = .awaitingDocuments
            outcome.status = .awaiting(missing)
        } else if !screened.holds.isEmpty {
            status = .held
            outcome.status = .held
            outcome.issues = screened.holds
            events += Self.holdEvents(screened.holds, at: now, messageGuid: message.guid)
        } else if decision.isUnrouted {
            status = .unrouted
            outcome.status = .unrouted
            events.append(Event(kind: EventKind.unrouted, occurredAt: now, messageGuid: message.guid,
                                detail: "no routing rule matched \(message.messageType)"))
        } else {
            status = .declared
            outcome.status = .routed(decision.destinations)
            // Not stored yet: the plan reads the bytes about to be stored whole (one raw piece).
            let split = await SplitRoutes.routes(
                decision.destinations, table: table, messageType: message.messageType, documents: message.documents.count,
                orderKey: facts.orderNo, logisticsKey: facts.logisticsNo
            ) { (spec, most) throws(MessageSplitError) in
                try await MessageSplitter.plan(spec: spec, maxDocuments: most, pieces: 1) { _ in message.bytes }
            }
            routes = split.routes
            events.append(Event(kind: .validated, occurredAt: now, messageGuid: message.guid,
                                detail: "rules: " + decision.rules.joined(separator: ", ")))
            if let failure = split.failure { events.append(SplitRoutes.failureEvent(failure, messageGuid: message.guid, at: now)) }
        }
        let write = FlowWrite(item: IngestItem(message: record, declarations: declarations), status: status, events: events, routes: routes)
        let report: IngestReport
        do {
            report = try await store.ingestRouted(write)
        } catch {
            throw .store(error)
        }
        documentsInFlight.end(storing)
        storing = []
        if report.messages.first?.status != .stored {
            outcome.status = .duplicate
            outcome.rules = []
            return outcome
        }
        // A consolidated waybill (CEB607) names export inventories: their timelines show it, as after an ingest.
        for manifest in declarations where manifest.kind == .manifest {
            do {
                _ = try await store.linkManifest(senderCode: record.senderCode, declaration: manifest)
            } catch {
                throw .store(error)
            }
        }

        // Re-checks after commit: documents that complete a waiting inventory, and an inventory
        // whose documents arrived while it was being evaluated.
        if status == .declared || status == .awaitingDocuments || status == .held {
            outcome.released = await releaseWaiting(orderNo: facts.orderNo, logisticsNo: facts.logisticsNo)
            if status == .awaitingDocuments, outcome.released.contains(message.guid) {
                let destinations = try await routedDestinations(message.guid)
                outcome.status = .routed(destinations)
            }
        }
        return outcome
    }

    /// Re-evaluates inventories waiting on this orderNo / logisticsNo and forwards (or refuses)
    /// those whose documents are now complete: each inventory on its own (``BatchForwarder`` from
    /// `awaiting documents`), so one late shipment never holds back a batch's others. Returns the
    /// envelope guids of the messages that released inventories to their destinations. Never throws:
    /// the document that triggers it is already stored (see ``BatchForwarder/releaseWaiting(orderNo:logisticsNo:)``).
    @discardableResult
    public func releaseWaiting(orderNo: String?, logisticsNo: String?) async -> [String] {
        await batchForwarder.releaseWaiting(orderNo: orderNo, logisticsNo: logisticsNo)
    }

    /// A batch forwarder over this flow's store and routing, joining its releases with the flow's.
    public var batchForwarder: BatchForwarder {
        BatchForwarder(store: store, routing: routing, rates: rates, logger: logger, releases: releases)
    }

    private func routedDestinations(_ guid: String) async throws(FlowError) -> [String] {
        do {
            // Not the shipment's whole timeline (five queries, its events the costliest statement of a
            // flow run on PostgreSQL: 2.2 ms a call): the message's own outbox rows.
            return try await store.routedDestinations(messageGuid: guid)
        } catch {
            throw .store(error)
        }
    }

    /// The timeline events of a credit hold: one `credit-hold` per dishonest party, with its `CRD001` reason.
    static func holdEvents(_ holds: [CrossMessageIssue], at date: Date, messageGuid: String) -> [Event] {
        holds.map { Event(kind: .creditHold, occurredAt: date, messageGuid: messageGuid, code: $0.code, detail: $0.message) }
    }

    /// The timeline event of an export inventory whose stored order, receipt of payment and waybill agree.
    static func exportMatchedEvent(_ inventory: ExportInventory, missing: [String], at date: Date, messageGuid: String) -> Event {
        let detail = missing.isEmpty ? "order, receipt of payment and waybill agree"
            : "the documents stored agree; not yet stored: " + missing.joined(separator: ", ")
        return Event(kind: EventKind.documentsMatched, occurredAt: date, messageGuid: messageGuid,
                     declarationGuid: inventory.head.guid, detail: detail, dedupKey: "matched:\(inventory.head.guid)")
    }

    /// The timeline event of an inventory whose order, payment and waybill agree (with its tax and quota).
    static func matchedEvent(_ inventory: Inventory, _ report: InventoryClearanceReport, at date: Date, messageGuid: String) -> Event {
        var detail = "order, payment and waybill agree"
        if let tax = report.tax {
            detail += "; tax \(tax.total) (rates \(tax.ratesVersion)\(tax.retailTreatment ? ", retail" : ", general trade"))"
        }
        return Event(kind: EventKind.documentsMatched, occurredAt: date, messageGuid: messageGuid,
                     declarationGuid: inventory.head.guid, detail: detail, dedupKey: "matched:\(inventory.head.guid)")
    }
}
