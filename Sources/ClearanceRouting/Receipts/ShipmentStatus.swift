import ClearanceRules
import ClearanceStore

/// A shipment's status for people, from its timeline: the inventory's phase when there is one,
/// otherwise the least advanced of its documents.
public enum ShipmentStatus {
    /// e.g. `"released"`, `"awaiting documents"`, `"returned"`.
    public static func of(_ timeline: ShipmentTimeline) -> String {
        if let inventory = timeline.declarations.last(where: { $0.kind == .inventory }) {
            return DeclarationPhase(status: inventory.status).rawValue
        }
        let phases = timeline.declarations.map { DeclarationPhase(status: $0.status) }
        return phases.first?.rawValue ?? DeclarationPhase.none.rawValue
    }
}
