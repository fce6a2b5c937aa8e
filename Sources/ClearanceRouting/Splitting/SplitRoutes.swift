import Foundation
import CEBModel
import ClearanceStore

/// Turns the destinations routing chose into outbox routes, split where customs needs it: a message
/// with more documents than customs takes in one (``CEBModel/CustomsLimits/maxDocuments``), going to
/// a destination the ``OutboundGate`` applies to (customs, cross-strait), is queued as parts — one
/// outbox row each, so each part is retried, dead-lettered, replayed and acknowledged on its own.
/// Other destinations (inspection, payment, webhooks…) receive the message whole, as before.
///
/// Receipts link to declarations by the inventory's own guid and numbers, not by the message guid,
/// so a part's guid (``PartGuid``) changes nothing for them.
enum SplitRoutes {
    /// What ``routes(_:table:messageType:documents:orderKey:logisticsKey:plan:)`` decided.
    struct Decision {
        var routes: [OutboxRoute]
        /// Why a message that needed splitting could not be split (it is queued whole; the gate then
        /// dead-letters it with `OUT003`).
        var failure: MessageSplitError?
    }

    /// - Parameters:
    ///   - documents: how many documents the message carries.
    ///   - plan: plans the parts (``MessageSplitter``) for the message's spec and limit; called at
    ///     most once, and only when a destination needs parts.
    static func routes(
        _ destinations: [String], table: RoutingTable, messageType: String, documents: Int, orderKey: String?, logisticsKey: String?,
        plan: (MessageSpec, Int) async throws(MessageSplitError) -> [OutboxPart]
    ) async -> Decision {
        var decision = Decision(routes: [])
        let spec = MessageCatalog.spec(number: messageType)
        var planned: [OutboxPart]?
        for name in destinations {
            var route = OutboxRoute(destination: name, orderKey: orderKey, logisticsKey: logisticsKey)
            if let spec, let most = spec.customsLimits.maxDocuments, documents > most,
               let config = table.destinations[name], OutboundGate.applies(to: config), decision.failure == nil {
                if planned == nil {
                    do {
                        planned = try await plan(spec, most)
                    } catch {
                        decision.failure = error
                    }
                }
                route.parts = planned ?? []
            }
            decision.routes.append(route)
        }
        return decision
    }

    /// The timeline event saying a message could not be split.
    static func failureEvent(_ failure: MessageSplitError, messageGuid: String, at date: Date) -> Event {
        Event(kind: EventKind.splitFailed, occurredAt: date, messageGuid: messageGuid, code: "OUT003",
              detail: "not split for customs: \(failure.reason)")
    }
}
