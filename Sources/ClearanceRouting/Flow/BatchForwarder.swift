import CEBModel
import ClearanceRules
import ClearanceStore
import Foundation

/// Sends a batch that `clearance ingest` (or `POST /v1/batches`) stored on through the clearance
/// flow: the same cross-message rules and routing as ``ClearanceFlow/accept(_:receivedAt:signatureVerdict:)``,
/// applied to the stored message as a whole, which is forwarded as it was received — except to customs
/// and the cross-strait channel when it has more documents than customs takes in one message: there it
/// goes as parts of at most that many (``SplitRoutes``), each its own outbox row.
///
/// The stored raw message is read back and decoded as a stream: documents are not kept, only the
/// routing facts they add up to and the retail-import inventories of the current megabyte, which
/// are checked (three-document match, quotas, tax) before the next one is decoded.
///
/// A batch goes out only when every document in it may go:
/// - any invalid document (not stored) holds the whole batch back (`invalid`): the sender fixes
///   and resends it, as customs would refuse it anyway;
/// - any inventory refused by the cross-message rules makes the batch `refused`, with every
///   reason field by field;
/// - inventories still missing documents make it wait (`awaiting`); the arrival of the last
///   document releases it (``ClearanceFlow/releaseWaiting(orderNo:logisticsNo:)``);
/// - a party dishonest on the credit list holds it for review (`held`, ``CreditScreen``).
///
/// Forwarding twice is harmless: declarations move only from their stored status, and outbox
/// rows are unique per (message, destination, part); parts are planned the same way each time.
public struct BatchForwarder: Sendable {
    private let store: any ClearanceFlowStore
    private let routing: @Sendable () -> RoutingTable
    private let rates: RetailImportTaxRates
    private let screen: CreditScreen

    /// Status of a stored batch's declarations before forwarding.
    public static let storedStatus = DeclarationStatus.received

    /// Creates a forwarder over the flow's store and routing table.
    public init(store: any ClearanceFlowStore, routing: @escaping @Sendable () -> RoutingTable, rates: RetailImportTaxRates = .current) {
        self.store = store
        self.routing = routing
        self.rates = rates
        self.screen = CreditScreen(store: store, routing: routing)
    }

    /// Forwards the stored message `guid`.
    public func forward(messageGuid guid: String) async throws(FlowError) -> FlowOutcome {
        let header: (record: MessageRecord, pieces: Int)?
        do {
            header = try await store.messageHeader(guid: guid)
        } catch {
            throw .store(error)
        }
        guard let (stored, pieces) = header else { throw .store(.notFound("message \(guid)")) }
        var outcome = FlowOutcome(guid: guid, messageType: stored.messageType, status: .invalid, rules: [], issues: [], released: [])

        // One streaming pass over the stored pieces (1 MiB each for a streamed batch): facts,
        // error count, inventory checks after each piece. Memory: one piece and its inventories.
        let sink = ForwardingSink(messageType: stored.messageType, senderCode: stored.senderCode)
        let decoder = CEBDecoder(rules: CustomsRules.standard, sink: sink)
        var issues: [CrossMessageIssue] = []
        var missing: [String] = []
        var matched: [Event] = []
        let now = Date()
        for index in 0..<pieces {
            let piece: [UInt8]
            do {
                piece = try await store.rawPiece(guid: guid, index: index)
            } catch {
                throw .store(error)
            }
            do {
                try decoder.feed(piece)
                if index == pieces - 1 { try decoder.finish() }
            } catch {
                throw .unreadable("\(error)")
            }
            for inventory in sink.takeInventories() {
                let report: InventoryClearanceReport
                do {
                    report = try await InventoryClearanceCheck.evaluate(inventory, history: store, rates: rates)
                } catch {
                    throw .history(error)
                }
                if case .awaiting(let m) = report.match {
                    missing.append("\(inventory.head.copNo ?? inventory.head.guid): " + m.joined(separator: ", "))
                } else {
                    issues += report.issues
                    if report.mayForward {
                        matched.append(ClearanceFlow.matchedEvent(inventory, report, at: now, messageGuid: guid))
                    }
                }
            }
        }

        if sink.errors > 0 {
            outcome.issues = [CrossMessageIssue(
                code: "BAT001", field: "",
                message: "\(sink.errors) error(s) in \(sink.invalidDocuments) document(s): the batch is not forwarded; fix and resend it")]
            try await move(guid, to: .refused, events: [Event(
                kind: .rejected, occurredAt: now, messageGuid: guid, code: "BAT001", detail: outcome.issues[0].message)], routes: [])
            return outcome
        }
        let screened = try await screen.decide(sink.facts, at: now)
        let decision = screened.decision
        let table = screened.table
        outcome.rules = decision.rules
        if !issues.isEmpty {
            outcome.status = .refused
            outcome.issues = issues
            try await move(guid, to: .refused, events: issues.map {
                Event(kind: .rejected, occurredAt: now, messageGuid: guid, code: $0.code, detail: $0.description)
            }, routes: [])
        } else if !missing.isEmpty {
            outcome.status = .awaiting(missing)
            try await move(guid, to: .awaitingDocuments, events: [Event(
                kind: EventKind.awaitingDocuments, occurredAt: now, messageGuid: guid,
                detail: "waiting for " + missing.prefix(20).joined(separator: ", ") + (missing.count > 20 ? " …" : ""))], routes: [])
        } else if !screened.holds.isEmpty {
            outcome.status = .held
            outcome.issues = screened.holds
            try await move(guid, to: .held, events: matched + ClearanceFlow.holdEvents(screened.holds, at: now, messageGuid: guid), routes: [])
        } else if decision.isUnrouted {
            outcome.status = .unrouted
            try await move(guid, to: .unrouted, events: [Event(
                kind: EventKind.unrouted, occurredAt: now, messageGuid: guid,
                detail: "no routing rule matched \(stored.messageType)")], routes: [])
        } else {
            outcome.status = .routed(decision.destinations)
            // A batch over customs' per-message limit goes to customs in parts: a second streaming
            // pass over the stored pieces finds the document boundaries (only for such batches).
            let split = await SplitRoutes.routes(
                decision.destinations, table: table, messageType: stored.messageType, documents: sink.documents,
                orderKey: sink.facts.orderNo, logisticsKey: sink.facts.logisticsNo
            ) { [store] (spec, most) throws(MessageSplitError) in
                try await MessageSplitter.plan(storedMessage: guid, in: store, spec: spec, maxDocuments: most)
            }
            var events = matched + [Event(
                kind: .validated, occurredAt: now, messageGuid: guid, detail: "batch; rules: " + decision.rules.joined(separator: ", "))]
            if let failure = split.failure { events.append(SplitRoutes.failureEvent(failure, messageGuid: guid, at: now)) }
            try await move(guid, to: .declared, events: events, routes: split.routes)
        }
        return outcome
    }

    /// Holds a stored batch back for its signature: nothing is forwarded, every declaration in it
    /// is refused with the gate's reason (the message stays stored as received).
    public func refuse(messageGuid guid: String, _ refusal: CrossMessageIssue) async throws(FlowError) {
        try await move(guid, to: .refused, events: [Event(
            kind: .rejected, occurredAt: Date(), messageGuid: guid, code: refusal.code, detail: refusal.message)], routes: [])
    }

    private func move(_ guid: String, to status: DeclarationStatus, events: [Event], routes: [OutboxRoute]) async throws(FlowError) {
        do {
            try await store.advanceMessage(messageGuid: guid, fromStatus: Self.storedStatus, toStatus: status, events: events, routes: routes)
        } catch {
            throw .store(error)
        }
    }
}
