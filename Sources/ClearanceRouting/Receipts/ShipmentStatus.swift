import ClearanceIngest
import ClearanceRules
import ClearanceStore

/// A shipment's status for people, from its timeline: the (import or export) inventory's phase when there is one,
/// otherwise the least advanced of its documents.
///
/// The customs phase is never undone by another authority: once customs has released (or
/// cleared, returned, refused, deleted) the shipment, that is its status. Before that, the latest
/// inspection answer holding or rejecting it shows as `"inspection hold"` / `"inspection rejected"`,
/// and a rejection by the payment/FX regulator as `"payment rejected"`.
public enum ShipmentStatus {
    /// e.g. `"released"`, `"awaiting documents"`, `"returned"`, `"inspection hold"`.
    public static func of(_ timeline: ShipmentTimeline) -> String {
        // An export inventory past release says where it is: arrived, departed, summarising, summarized.
        if let export = timeline.declarations.last(where: { $0.kind == .exportInventory }),
           [DeclarationStatus.arrived, .departed, .summarising, .summarized].contains(DeclarationStatus(export.status)) {
            return export.status
        }
        let customs = customsPhase(timeline)
        switch customs {
        case .released, .cleared, .returned, .refused, .deleted:
            return customs.rawValue
        default:
            break
        }
        if let inspection = latestAnswer(.inspection, in: timeline) {
            switch inspection {
            case .hold: return "inspection hold"
            case .rejected: return "inspection rejected"
            default: break
            }
        }
        if latestAnswer(.paymentForex, in: timeline) == .rejected { return "payment rejected" }
        return customs.rawValue
    }

    /// The customs phase alone (authorities' answers left out).
    public static func customsPhase(_ timeline: ShipmentTimeline) -> DeclarationPhase {
        if let inventory = timeline.declarations.last(where: { $0.kind == .inventory || $0.kind == .exportInventory }) {
            return DeclarationPhase(status: inventory.status)
        }
        return timeline.declarations.first.map { DeclarationPhase(status: $0.status) } ?? .none
    }

    /// The newest answer (by returnTime, as the trace orders receipts) of one authority.
    static func latestAnswer(_ authority: DeclarationKind, in timeline: ShipmentTimeline) -> AuthorityAnswer? {
        timeline.receipts.last { $0.forKind == authority }.map { AuthorityAnswer(status: $0.returnStatus) }
    }
}
