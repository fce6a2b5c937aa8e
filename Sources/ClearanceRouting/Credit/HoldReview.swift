import CEBModel
import ClearanceRules
import ClearanceStore
import Foundation

/// An operator's decision on a message held for review (a dishonest party, `CRD001`).
///
/// Release routes the message exactly as the flow would have without the hold: the stored message
/// is read back as a stream, its facts go through the same ``CreditScreen`` (so `partyGrade` rules,
/// e.g. "dishonest also to inspection", still apply) and the routing table in force; the hold
/// itself is waived. Refusal refuses every held declaration of the message (`CRD002`). Either is
/// one guarded transaction with its audit line: a message is decided once, whoever clicks second
/// gets `CRD003`.
///
/// A held order, payment or waybill does not count for the three-document match (an inventory
/// waits for it), so a release also re-runs ``ClearanceFlow/releaseWaiting(orderNo:logisticsNo:)``
/// for the shipment, as the arrival of that document would have.
public struct HoldReview: Sendable {
    private let store: any ClearanceFlowStore
    private let screen: CreditScreen
    private let flow: ClearanceFlow

    public init(store: any ClearanceFlowStore, routing: @escaping @Sendable () -> RoutingTable, rates: RetailImportTaxRates = .current) {
        self.store = store
        self.screen = CreditScreen(store: store, routing: routing)
        self.flow = ClearanceFlow(store: store, routing: routing, rates: rates)
    }

    /// Releases the held message `guid` and routes it; `actor` is the operator (audited).
    ///
    /// A batch may be held only in part (an inventory held when its documents completed, after the
    /// others went; a batch's routable documents held while others wait or were refused): then only
    /// the held documents go, re-packed as further parts of the message, and the routing facts are
    /// theirs. Routing the whole message would send the others again, or send refused ones.
    public func release(messageGuid guid: String, by actor: String, now: Date = Date()) async throws(HoldReviewError) -> FlowOutcome {
        let held: Set<String>
        do {
            held = try await store.declarationGuids(messageGuid: guid, status: .held)
        } catch {
            throw .flow(.store(error))
        }
        let (record, facts, documents, marked) = try await storedFacts(guid, held: held)
        let whole = marked.count == documents
        let screened: ScreenedRoute
        do {
            screened = try await screen.decide(facts, at: now)
        } catch {
            throw .flow(error)
        }
        let decision = screened.decision
        var outcome = FlowOutcome(guid: guid, messageType: record.messageType, status: .unrouted, rules: decision.rules, issues: [], released: [])
        var events = [Event(kind: .creditReleased, occurredAt: now, messageGuid: guid, detail: "released after credit review by \(actor)")]
        let routes: [OutboxRoute]
        if decision.isUnrouted {
            events.append(Event(kind: .unrouted, occurredAt: now, messageGuid: guid, detail: "no routing rule matched \(record.messageType)"))
            routes = []
        } else {
            outcome.status = .routed(decision.destinations)
            events.append(Event(kind: .validated, occurredAt: now, messageGuid: guid,
                                detail: "released after review; rules: " + decision.rules.joined(separator: ", ")))
            if whole {
                // Released as accept would have routed it: over customs' per-message limit, in parts.
                let split = await SplitRoutes.routes(
                    decision.destinations, table: screened.table, messageType: record.messageType, documents: documents,
                    orderKey: facts.orderNo, logisticsKey: facts.logisticsNo
                ) { [store] (spec, most) throws(MessageSplitError) in
                    try await MessageSplitter.plan(storedMessage: guid, in: store, spec: spec, maxDocuments: most)
                }
                if let failure = split.failure { events.append(SplitRoutes.failureEvent(failure, messageGuid: guid, at: now)) }
                routes = split.routes
            } else {
                (routes, events) = await flow.batchForwarder.repack(
                    guid, going: marked, destinations: decision.destinations, facts: facts, messageType: record.messageType,
                    appends: true, layout: nil, events: events, at: now)
            }
        }
        try await resolve(guid, to: decision.isUnrouted ? .unrouted : .declared, events: events, routes: routes, audit: AuditEntry(
            at: now, actor: actor, action: "hold.release", target: guid,
            detail: decision.isUnrouted ? "unrouted" : "routed to " + decision.destinations.joined(separator: ", ")))
        outcome.released = await flow.releaseWaiting(orderNo: facts.orderNo, logisticsNo: facts.logisticsNo)
        return outcome
    }

    /// Refuses the held message `guid`: its held declarations become refused (`CRD002`), nothing is sent.
    public func refuse(messageGuid guid: String, by actor: String, reason: String? = nil, now: Date = Date()) async throws(HoldReviewError) -> FlowOutcome {
        let header: (record: MessageRecord, pieces: Int)?
        do {
            header = try await store.messageHeader(guid: guid)
        } catch {
            throw .flow(.store(error))
        }
        guard let record = header?.record else { throw .noSuchMessage(guid) }
        let why = "refused after credit review by \(actor)" + (reason.map { ": \($0)" } ?? "")
        let issue = CrossMessageIssue(code: "CRD002", field: "", message: why)
        try await resolve(guid, to: .refused, events: [Event(kind: .rejected, occurredAt: now, messageGuid: guid, code: "CRD002", detail: why)],
                          routes: [], audit: AuditEntry(at: now, actor: actor, action: "hold.refuse", target: guid, detail: reason))
        return FlowOutcome(guid: guid, messageType: record.messageType, status: .refused, rules: [], issues: [issue], released: [])
    }

    private func resolve(_ guid: String, to status: DeclarationStatus, events: [Event], routes: [OutboxRoute], audit: AuditEntry) async throws(HoldReviewError) {
        let moved: Int
        do {
            moved = try await store.resolveHold(messageGuid: guid, toStatus: status, events: events, routes: routes, audit: audit)
        } catch {
            if case .notFound = error { throw .noSuchMessage(guid) }
            throw .flow(.store(error))
        }
        if moved == 0 { throw .notHeld(guid) }
    }

    /// The stored message's record, the routing facts of its `held` documents, its number of
    /// documents and the 0-based indices of the held ones (read back as a stream, a piece at a time:
    /// a held batch can be large).
    private func storedFacts(_ guid: String, held: Set<String>) async throws(HoldReviewError) -> (MessageRecord, RoutingFacts, documents: Int, held: [Int]) {
        let header: (record: MessageRecord, pieces: Int)?
        do {
            header = try await store.messageHeader(guid: guid)
        } catch {
            throw .flow(.store(error))
        }
        guard let (record, pieces) = header else { throw .noSuchMessage(guid) }
        guard !held.isEmpty else { throw .notHeld(guid) }  // decided already (or never held): nothing to read
        let sink = ForwardingSink(messageType: record.messageType, senderCode: record.senderCode, marking: held)
        let decoder = CEBDecoder(rules: CustomsRules.standard, sink: sink)
        for index in 0..<pieces {
            do {
                let piece = try await store.rawPiece(guid: guid, index: index)
                try decoder.feed(piece)
                if index == pieces - 1 { try decoder.finish() }
            } catch let error as StoreError {
                throw .flow(.store(error))
            } catch {
                throw .flow(.unreadable("\(error)"))
            }
            _ = sink.takeInventories()
        }
        return (record, sink.facts, sink.documents, sink.marked)
    }
}
