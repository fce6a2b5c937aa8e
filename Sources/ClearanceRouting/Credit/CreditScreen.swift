import ClearanceRules
import ClearanceStore
import Foundation

/// The one place where a message meets the credit list: every path that routes — a single
/// message (``ClearanceFlow/accept(_:receivedAt:signatureVerdict:)``), an inventory whose
/// documents complete it (``ClearanceFlow/releaseWaiting(orderNo:logisticsNo:)``), a batch
/// (``BatchForwarder``) and an operator's release (``HoldReview``) — asks it for the route, so
/// the hold and the `partyGrade` rules cannot differ between them.
///
/// The list is read from the store for every message, so a new import applies to the next
/// message in every process at once. Entries outside their validity do not apply; codes the list
/// does not know pass (they are counted in `clearance stats`).
public struct CreditScreen: Sendable {
    private let store: any CreditStore
    private let routing: @Sendable () -> RoutingTable

    public init(store: any CreditStore, routing: @escaping @Sendable () -> RoutingTable) {
        self.store = store
        self.routing = routing
    }

    /// The route of a message with these facts at `date`: the parties' grades filled in, the
    /// routing decision on them, and one `CRD001` hold reason per dishonest party.
    public func decide(_ facts: RoutingFacts, at date: Date) async throws(FlowError) -> ScreenedRoute {
        var facts = facts
        let entries: [CreditEntry]
        do {
            entries = try await store.creditEntries(codes: Set(facts.parties.map(\.code)))
        } catch {
            throw .store(error)
        }
        let byCode = Dictionary(entries.filter { $0.applies(at: date) }.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var holds: [CrossMessageIssue] = []
        facts.partyGrades = []
        for party in facts.parties.sorted() {
            guard let entry = byCode[party.code] else { continue }
            facts.partyGrades.insert(entry.grade)
            if entry.grade == .dishonest {
                holds.append(CrossMessageIssue(
                    code: "CRD001", field: "party.\(party.role.rawValue)", actual: party.code,
                    message: "the \(party.role.rawValue) \(party.code) is on the credit list as dishonest (失信, source: \(entry.source)): held for review"))
            }
        }
        let table = routing()
        return ScreenedRoute(facts: facts, decision: table.route(facts), holds: holds, table: table)
    }
}

/// What ``CreditScreen`` decided for one message.
public struct ScreenedRoute: Sendable {
    /// The facts with ``RoutingFacts/partyGrades`` filled in.
    public var facts: RoutingFacts
    /// Where the table sends it (used as is when there is no hold, or when ops release it).
    public var decision: RoutingDecision
    /// `CRD001` reasons, one per dishonest party; empty when nothing holds the message.
    public var holds: [CrossMessageIssue]
    /// The routing table the decision came from (a message split for customs is planned against the same one).
    public var table: RoutingTable
}
