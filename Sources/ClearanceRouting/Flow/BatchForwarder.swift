import CEBModel
import ClearanceRules
import ClearanceStore
import Foundation
import Logging

/// Sends a batch that `clearance ingest` (or `POST /v1/batches`) stored on through the clearance
/// flow, **each document on its own verdict**: the same cross-message rules and routing as
/// ``ClearanceFlow/accept(_:receivedAt:signatureVerdict:)``, applied document by document.
///
/// The stored raw message is read back and decoded as a stream: documents are not kept, only the
/// routing facts they add up to, the indices of the documents that may go, and the retail-import
/// inventories of the current megabyte, which are checked (three-document match, quotas, tax)
/// before the next one is decoded. Each document then has its verdict:
/// - `invalid` (schema or customs-rule errors: not stored, never sent);
/// - `refused` by the cross-message rules (field-by-field reasons on the timeline);
/// - `awaiting documents` (an inventory whose order, payment or waybill is missing): it goes later,
///   when the last of them arrives (``releaseWaiting(namedBy:)``, from `awaiting documents`);
/// - routed: the documents that may go are queued at once. When every document goes, the message
///   goes as it was received (in parts of customs' size only where customs needs it, ``SplitRoutes``);
///   otherwise the documents that go are re-packed into messages of the same type holding only them
///   (``MessageSplitter`` with `include`, at most customs' per-message number of documents each; a
///   new guid per part, the sender's own head and `BaseTransfer`), to every destination.
/// A party dishonest on the credit list holds the batch's routable documents for review (`held`).
///
/// Each declaration moves once from the status it is forwarded from, in the transaction that queues
/// its parts (``ClearanceFlowStore/advanceDocuments(_:)``): forwarding twice queues nothing twice.
public struct BatchForwarder: Sendable {
    private let store: any ClearanceFlowStore
    private let routing: @Sendable () -> RoutingTable
    private let rates: RetailImportTaxRates
    private let screen: CreditScreen
    private let logger: Logger
    private let releases: ReleaseCoalescer

    /// How many waiting inventories and refusal reasons a batch's answer names (all are counted).
    public static let namedAtMost = 100
    /// Documents per re-packed part when the message type has no customs limit.
    static let defaultPartDocuments = 100

    /// Status of a stored batch's declarations before forwarding.
    public static let storedStatus = DeclarationStatus.received

    /// Creates a forwarder over the flow's store and routing table.
    public init(store: any ClearanceFlowStore, routing: @escaping @Sendable () -> RoutingTable, rates: RetailImportTaxRates = .current,
                logger: Logger = Logger(label: "clearance.flow"), releases: ReleaseCoalescer = ReleaseCoalescer()) {
        self.store = store
        self.routing = routing
        self.rates = rates
        self.screen = CreditScreen(store: store, routing: routing)
        self.logger = logger
        self.releases = releases
    }

    /// Forwards the stored message `guid`: its declarations in `from` (``storedStatus`` for a
    /// newly stored batch; `awaiting documents` to release the inventories whose documents arrived).
    /// With `only`, only those inventories (head guids) are looked at (the documents that just
    /// arrived can complete no other), so a release does not re-check every waiting inventory of a
    /// large batch. A newly stored batch of orders, payments or waybills then releases the
    /// inventories it completes, in other messages (``releaseWaiting(namedBy:)``).
    public func forward(
        messageGuid guid: String, from: DeclarationStatus = storedStatus, only: Set<String>? = nil
    ) async throws(FlowError) -> FlowOutcome {
        var outcome = try await forwardRetrying(messageGuid: guid, from: from, only: only)
        if from == Self.storedStatus, outcome.status != .duplicate {
            outcome.released = await releaseWaiting(namedBy: guid)
        }
        return outcome
    }

    /// Releases the inventories waiting on this orderNo or logisticsNo (a single document arrived).
    /// Returns the envelope guids of the messages that released inventories to their destinations.
    ///
    /// Never throws: it runs after the arriving document is committed, so a failure here must not
    /// turn that document's answer into an error (its sender would resend a stored document and get
    /// "duplicate", and nothing would try the release again). See ``release(_:)``.
    public func releaseWaiting(orderNo: String?, logisticsNo: String?) async -> [String] {
        guard orderNo != nil || logisticsNo != nil else { return [] }
        do {
            return await release(try await store.awaitingInventories(orderNo: orderNo, logisticsNo: logisticsNo))
        } catch {
            logger.warning("waiting inventories not looked up", metadata: [
                "orderNo": "\(orderNo ?? "")", "logisticsNo": "\(logisticsNo ?? "")", "error": "\(error)"])
            return []
        }
    }

    /// Releases the inventories the documents of the stored message `guid` complete: one pass over
    /// each message holding some of them, however many documents the batch has. Never throws, as
    /// ``releaseWaiting(orderNo:logisticsNo:)``.
    public func releaseWaiting(namedBy guid: String) async -> [String] {
        do {
            return await release(try await store.awaitingInventories(namedBy: guid))
        } catch {
            logger.warning("waiting inventories not looked up", metadata: ["namedBy": "\(guid)", "error": "\(error)"])
            return []
        }
    }

    /// Releases the waiting inventories whose order, payment and waybill are all stored: the
    /// releases that did not happen when their last document arrived (the process stopped between
    /// that document's commit and its release, or the release failed). `clearance serve` runs it at
    /// start and every 10 minutes (`WaitingReleaseService`), each sweep after the first looking only
    /// at inventories whose documents (or themselves) arrived since the previous one began
    /// (`touchedAfter`: the previous ``WaitingSweep/mark``), so inventories that stay waiting
    /// (documents from parties they do not name) are not evaluated again and again. Pages of
    /// `pageSize` by declaration id. Never throws: a failing page ends the sweep, logged, and the
    /// mark stays where it was.
    public func releaseCompleted(touchedAfter: Int64 = 0, pageSize: Int = 1_000) async -> WaitingSweep {
        var sweep = WaitingSweep(mark: touchedAfter)
        let mark: Int64
        do {
            mark = try await store.latestDeclarationId()
        } catch {
            logger.warning("waiting inventories not swept", metadata: ["error": "\(error)"])
            return sweep
        }
        var after: Int64 = 0
        while true {
            let page: [(id: Int64, messageGuid: String, declarationGuid: String)]
            do {
                page = try await store.completedWaitingInventories(after: after, touchedAfter: touchedAfter, limit: pageSize)
            } catch {
                logger.warning("waiting inventories not swept", metadata: ["after": "\(after)", "error": "\(error)"])
                return sweep
            }
            var waiting: [String: Set<String>] = [:]
            for row in page { waiting[row.messageGuid, default: []].insert(row.declarationGuid) }
            sweep.candidates += page.count
            for guid in await release(waiting) where !sweep.released.contains(guid) { sweep.released.append(guid) }
            guard page.count == pageSize, let last = page.last?.id else {
                sweep.mark = mark
                return sweep
            }
            after = last
        }
    }

    /// Each waiting message's release on its own: one that fails does not stop the others.
    /// - A stored message that cannot be read (damaged bytes: ``FlowError/unreadable(_:)``) will
    ///   never read better: its named inventories go to `held` with a `REL001` reason, so ops see
    ///   them on the holds page and refuse them (the sender must send them again).
    /// - Any other failure (the store, the history the rules read) may pass: the inventories stay
    ///   waiting and the failure is logged.
    ///
    /// Releases of one message asked for at once in this process are joined (``ReleaseCoalescer``):
    /// a message whose release another caller is running is left to it (and is not in this
    /// caller's answer).
    private func release(_ waiting: [String: Set<String>]) async -> [String] {
        var released: [String] = []
        for (guid, inventories) in waiting.sorted(by: { $0.key < $1.key }) where releases.begin(guid, inventories) {
            var next: Set<String>? = inventories
            while let only = next {
                do {
                    let outcome = try await forwardRetrying(messageGuid: guid, from: .awaitingDocuments, only: only)
                    if case .routed = outcome.status, !released.contains(guid) { released.append(guid) }
                } catch .unreadable(let why) {
                    await holdUnreadable(guid, inventories: only, why: why)
                } catch {
                    logger.warning("waiting inventories not released", metadata: [
                        "message": "\(guid)", "inventories": "\(only.count)", "error": "\(error)"])
                }
                next = releases.end(guid)
            }
        }
        return released
    }

    /// Holds the waiting inventories of a stored message that cannot be read back (`REL001`).
    private func holdUnreadable(_ guid: String, inventories: Set<String>, why: String) async {
        let reason = "the stored message cannot be read back to release \(inventories.count) waiting inventor"
            + (inventories.count == 1 ? "y" : "ies") + " (\(why)); refuse them and ask the sender to send them again"
        logger.error("waiting inventories held: stored message unreadable", metadata: ["message": "\(guid)", "error": "\(why)"])
        do {
            _ = try await store.advanceDocuments(DocumentAdvance(
                messageGuid: guid, from: .awaitingDocuments, moves: [(.held, inventories.sorted())], rest: nil,
                events: [Event(kind: .releaseFailed, occurredAt: Date(), messageGuid: guid, code: "REL001", detail: reason)], routes: []))
        } catch {
            logger.warning("unreadable message's inventories not held", metadata: ["message": "\(guid)", "error": "\(error)"])
        }
    }

    /// The largest message a release reads whole with its head (a raw part's size: every single
    /// message); a larger one is read piece by piece after its head.
    static let wholeReadBytes = 1 << 20

    private func forwardRetrying(
        messageGuid guid: String, from: DeclarationStatus, only: Set<String>?
    ) async throws(FlowError) -> FlowOutcome {
        // Two releases of one batch at once (its last documents arriving together): the one that
        // loses the race finds its declarations moved, and looks again.
        for _ in 0..<3 {
            do {
                return try await forwardOnce(messageGuid: guid, from: from, only: only)
            } catch .store(.conflict) {
                continue
            }
        }
        return try await forwardOnce(messageGuid: guid, from: from, only: only)
    }

    private func forwardOnce(
        messageGuid guid: String, from: DeclarationStatus, only: Set<String>?
    ) async throws(FlowError) -> FlowOutcome {
        let header: (record: MessageRecord, pieces: Int)?
        let waiting: Set<String>?
        var excerpt: ReleaseExcerpt?
        var messageId: Int64?
        var wholeMessage: MessageRecord?
        do {
            if let only, from != Self.storedStatus {
                // A release names its inventories: look up only those, with the ranges kept for them.
                let kept = try await store.documentRanges(messageGuid: guid, status: from, among: only)
                waiting = Set(kept.documents.keys)
                excerpt = ReleaseExcerpt(frame: kept.frame, documents: kept.documents)
                messageId = kept.messageId
            } else {
                let stored = from == Self.storedStatus ? nil : try await store.declarationGuids(messageGuid: guid, status: from)
                waiting = only.flatMap { only in stored.map { $0.intersection(only) } } ?? stored
            }
            // Nothing left to release (a joined release running again for inventories its first
            // run took, ``ReleaseCoalescer``: most reruns): no need for the head. A message of one
            // part at most (every single message) is read whole with its head in one statement.
            if waiting?.isEmpty == true {
                header = nil
            } else if excerpt == nil, let small = try await store.messages(guids: [guid], maxBytes: Self.wholeReadBytes)[guid] {
                wholeMessage = small
                header = (small, 1)
            } else {
                header = try await store.messageHeader(guid: guid)
            }
        } catch {
            throw .store(error)
        }
        if let waiting, waiting.isEmpty {
            return FlowOutcome(guid: guid, messageType: "", status: .duplicate, rules: [], issues: [], released: [])
        }
        guard let (stored, pieces) = header else { throw .store(.notFound("message \(guid)")) }
        var outcome = FlowOutcome(guid: guid, messageType: stored.messageType, status: .invalid, rules: [], issues: [], released: [])

        // One streaming pass over the stored pieces (1 MiB each for a streamed batch): facts,
        // verdicts, inventory checks after each piece. Memory: one piece and its inventories, plus
        // the indices of the documents that go and the guids of those held back.
        let sink = ForwardingSink(messageType: stored.messageType, senderCode: stored.senderCode)
        let decoder = CEBDecoder(rules: CustomsRules.standard, sink: sink)
        var issues = BoundedList<CrossMessageIssue>(keeping: Self.namedAtMost)
        var missing = BoundedList<String>(keeping: Self.namedAtMost)
        var going: [Int] = []
        var goingGuids: [String] = []
        var awaiting: [(guid: String, index: Int)] = []
        var refusedGuids: [String] = []
        var matched: [Event] = []
        let now = Date()
        // A release with its documents' ranges kept decodes only the head, those documents and the
        // tail (one excerpt); a message of one part (read above with its head) or two pieces at most
        // is decoded whole; otherwise every stored piece, in order.
        let whole = excerpt == nil && pieces <= 2
        let feeds = excerpt == nil && !whole ? pieces : 1
        // A new batch read piece by piece: its documents are located in the same pass (for the
        // ranges kept for waiting inventories and for re-packing the ones that go), not in a
        // second read of every piece.
        let rangeScan = waiting == nil && feeds > 1 ? MessageCatalog.spec(number: stored.messageType).map(DocumentRangeScan.init) : nil
        for index in 0..<feeds {
            let piece: [UInt8]
            do {
                if let excerpt {
                    piece = try await MessagePartAssembler(store: store).bytes(
                        excerpt.frame.excerpt(excerpt.documents.map(\.range)), of: guid, pieces: pieces, what: "the waiting documents")
                } else if let wholeMessage {
                    piece = wholeMessage.rawBytes
                } else if whole {
                    guard let message = try await store.message(guid: guid) else { throw StoreError.notFound("message \(guid)") }
                    piece = message.rawBytes
                } else {
                    piece = try await store.rawPiece(guid: guid, index: index)
                }
            } catch let error as StoreError {
                throw .store(error)
            } catch {
                throw .unreadable("\(error)")
            }
            rangeScan?.feed(piece, last: index == feeds - 1)
            do {
                try decoder.feed(piece)
                if index == feeds - 1 { try decoder.finish() }
            } catch {
                throw .unreadable("\(error)")
            }
            // The piece's inventories are checked together: one look-up of their linked documents for all of them.
            // An excerpt's documents are numbered as in the whole message.
            let checked = sink.takeInventories().map { (index: excerpt?.documents[$0.index].index ?? $0.index, inventory: $0.inventory) }
                .filter { waiting?.contains($0.inventory.head.guid) ?? true }
            let reports: [InventoryClearanceReport]
            do {
                reports = try await InventoryClearanceCheck.evaluate(checked.map { $0.inventory }, history: store, rates: rates)
            } catch {
                throw .history(error)
            }
            for ((documentIndex, inventory), report) in zip(checked, reports) {
                let inventoryGuid = inventory.head.guid
                if case .awaiting(let m) = report.match {
                    missing.append("\(inventory.head.copNo ?? inventoryGuid): " + m.joined(separator: ", "))
                    awaiting.append((inventoryGuid, documentIndex))
                } else if report.mayForward {
                    going.append(documentIndex)
                    goingGuids.append(inventoryGuid)
                    matched.append(ClearanceFlow.matchedEvent(inventory, report, at: now, messageGuid: guid))
                } else {
                    issues.append(contentsOf: report.issues)
                    refusedGuids.append(inventoryGuid)
                }
            }
        }
        // Releasing waiting inventories: the other documents of the batch went (or not) the first time.
        if waiting == nil { going = (going + sink.passing).sorted() }
        let verdicts = BatchVerdicts(routed: going.count, awaiting: missing.count, refused: refusedGuids.count,
                                     invalid: waiting == nil ? sink.invalidDocuments : 0)
        outcome.verdicts = verdicts

        let screened = try await screen.decide(sink.facts, at: now)
        let decision = screened.decision
        outcome.rules = decision.rules
        outcome.issues = issues.kept
        if issues.count > issues.kept.count {
            outcome.issues.append(CrossMessageIssue(
                code: "BAT002", field: "", message: "\(issues.count - issues.kept.count) more reason(s) not listed"))
        }
        var events = outcome.issues.map {
            Event(kind: .rejected, occurredAt: now, messageGuid: guid, code: $0.code, detail: $0.description)
        }
        if verdicts.invalid > 0 {
            events.append(Event(kind: .rejected, occurredAt: now, messageGuid: guid, code: "BAT001",
                                detail: "\(verdicts.invalid) document(s) with \(sink.errors) error(s) are not stored and not sent; fix and resend them"))
        }
        if missing.count > 0, waiting == nil {  // a release does not repeat who still waits
            events.append(Event(
                kind: EventKind.awaitingDocuments, occurredAt: now, messageGuid: guid,
                detail: "\(missing.count) inventories waiting for " + missing.kept.prefix(20).joined(separator: ", ")
                    + (missing.count > 20 ? " …" : "")))
        }

        // What the documents that go become: routed, unrouted or held.
        var goTo: DeclarationStatus = .declared
        var routes: [OutboxRoute] = []
        // Where a new batch's documents lie, which re-packs the documents that go and is kept for the
        // waiting ones' releases: found in the decoding pass above when the batch was read piece by
        // piece; otherwise (a batch of two pieces at most) one scan when some inventories wait.
        let scanned = try? rangeScan?.result()
        let layout = if rangeScan != nil {
            scanned.map { DocumentLayout(frame: try? $0.frame.get(), documents: $0.documents) }
        } else {
            waiting == nil && !awaiting.isEmpty ? await scan(guid, messageType: stored.messageType) : nil
        }
        if going.isEmpty {
            outcome.status = missing.count > 0 ? .awaiting(Self.named(missing)) : (refusedGuids.isEmpty ? .invalid : .refused)
        } else if !screened.holds.isEmpty {
            goTo = .held
            outcome.status = .held
            outcome.issues += screened.holds
            events += matched + ClearanceFlow.holdEvents(screened.holds, at: now, messageGuid: guid)
        } else if decision.isUnrouted {
            goTo = .unrouted
            outcome.status = .unrouted
            events.append(Event(kind: EventKind.unrouted, occurredAt: now, messageGuid: guid, detail: "no routing rule matched \(stored.messageType)"))
        } else {
            outcome.status = .routed(decision.destinations)
            events += matched + [Event(kind: .validated, occurredAt: now, messageGuid: guid,
                                       detail: "batch \(verdicts); rules: " + decision.rules.joined(separator: ", "))]
            if going.count == sink.documents, excerpt == nil {
                // Every document goes: the message as received (in customs' parts where customs needs them).
                let split = await SplitRoutes.routes(
                    decision.destinations, table: screened.table, messageType: stored.messageType, documents: sink.documents,
                    orderKey: sink.facts.orderNo, logisticsKey: sink.facts.logisticsNo
                ) { [store] (spec, most) throws(MessageSplitError) in
                    if let scanned { return try MessageSplitter.plan(scanned, maxDocuments: most) }
                    return try await MessageSplitter.plan(storedMessage: guid, in: store, spec: spec, maxDocuments: most)
                }
                routes = split.routes
                if let failure = split.failure { events.append(SplitRoutes.failureEvent(failure, messageGuid: guid, at: now)) }
            } else {
                (routes, events) = await repack(guid, going: going, destinations: decision.destinations, facts: sink.facts,
                                                messageType: stored.messageType, appends: waiting != nil, layout: layout ?? excerpt?.layout,
                                                events: events, at: now)
            }
        }
        if let layout, let frame = layout.frame {
            // Keep where the waiting inventories lie, so each release reads only its own. Without
            // them (the scan failed, or this write did) a release decodes the whole batch instead.
            try? await store.saveDocumentRanges(messageGuid: guid, frame: frame.encoded, documents: awaiting.compactMap { document in
                layout.range(document.index).map { (document.guid, DocumentRange(index: document.index, start: $0.lowerBound, end: $0.upperBound)) }
            })
        }

        var moves: [(status: DeclarationStatus, guids: [String])] = []
        if waiting != nil {
            moves.append((goTo, goingGuids))
        } else {
            moves.append((.awaitingDocuments, awaiting.map(\.guid)))
        }
        moves.append((.refused, refusedGuids))
        moves = moves.filter { !$0.guids.isEmpty }
        // A new batch: whatever is not held back goes to the routed status. A release: only the
        // inventories named move; the ones still waiting stay.
        let rest: DeclarationStatus? = waiting == nil ? (going.isEmpty ? .refused : goTo) : nil
        guard !moves.isEmpty || rest != nil else { return outcome }
        do {
            let moved = try await store.advanceDocuments(DocumentAdvance(
                messageGuid: guid, messageId: messageId, from: from, moves: moves, rest: rest, events: events, routes: routes))
            if moved == 0 { outcome.status = .duplicate }
        } catch {
            throw .store(error)
        }
        if waiting != nil, case .routed = outcome.status { outcome.released = [guid] }
        return outcome
    }

    /// One pass over the stored message for its document ranges (nil when it cannot be read as XML:
    /// a release then decodes the whole batch, as without them).
    private func scan(_ guid: String, messageType: String) async -> DocumentLayout? {
        guard let spec = MessageCatalog.spec(number: messageType),
              let scan = try? await MessageSplitter.scan(storedMessage: guid, in: store, spec: spec) else { return nil }
        return DocumentLayout(frame: try? scan.frame.get(), documents: scan.documents)
    }

    /// The waiting inventories an answer names: the first ``namedAtMost``, then how many more.
    private static func named(_ missing: BoundedList<String>) -> [String] {
        let more = missing.count - missing.kept.count
        return missing.kept + (more > 0 ? ["… \(more) more inventories"] : [])
    }

    /// Routes carrying only the documents `going` (0-based), re-packed in parts, to every destination;
    /// planned from `layout` when known (no pass over the stored message).
    func repack(
        _ guid: String, going: [Int], destinations: [String], facts: RoutingFacts, messageType: String, appends: Bool,
        layout: DocumentLayout?, events: [Event], at now: Date
    ) async -> ([OutboxRoute], [Event]) {
        var events = events
        guard let spec = MessageCatalog.spec(number: messageType) else {
            events.append(Event(kind: EventKind.splitFailed, occurredAt: now, messageGuid: guid, code: "OUT003",
                                detail: "documents not re-packed: unknown message type \(messageType)"))
            return (destinations.map { OutboxRoute(destination: $0, orderKey: facts.orderNo, logisticsKey: facts.logisticsNo) }, events)
        }
        do {
            let most = spec.customsLimits.maxDocuments ?? Self.defaultPartDocuments
            let parts: [OutboxPart]
            if let layout, let frame = layout.frame, going.allSatisfy({ layout.range($0) != nil }) {
                parts = frame.parts(going.sorted().map { ($0, layout.range($0)!) }, maxDocuments: most)
            } else {
                parts = try await MessageSplitter.plan(storedMessage: guid, in: store, spec: spec, maxDocuments: most, include: Set(going))
            }
            return (destinations.map {
                OutboxRoute(destination: $0, orderKey: facts.orderNo, logisticsKey: facts.logisticsNo, parts: parts, appendsParts: appends)
            }, events)
        } catch {
            // Cannot re-pack: nothing goes (sending the whole batch would send the documents held back).
            events.append(SplitRoutes.failureEvent(error, messageGuid: guid, at: now))
            return ([], events)
        }
    }

    /// Holds a stored batch back for its signature: nothing is forwarded, every declaration in it
    /// is refused with the gate's reason (the message stays stored as received), and their keys are
    /// freed, so the sender may send the same declarations again in a correctly signed message.
    public func refuse(messageGuid guid: String, _ refusal: CrossMessageIssue) async throws(FlowError) {
        do {
            _ = try await store.refuseUnsignedMessage(messageGuid: guid, fromStatus: Self.storedStatus, events: [Event(
                kind: .rejected, occurredAt: Date(), messageGuid: guid, code: refusal.code, detail: refusal.message)])
        } catch {
            throw .store(error)
        }
    }
}
