/// Where a customs `returnStatus` stands in the customs order of states, so a receipt moves a
/// declaration only forward: a late or forged "100 returned" with a far-future `returnTime` cannot
/// undo a release, and nothing leaves a final state (100 returned, 700 sent back, 899 cleared).
///
/// Order (from `shared/ceb-reference.md`): e-port stages 1–4 and negative e-port codes → 120
/// accepted → 300 manual review → 399 decided → 500 inspection → 501–599 detained → 100 returned
/// or 700 sent back (final) → 800 released → arrived → departed → 899 cleared (final) → summarising
/// → summarized (export inventories after release: the arrival and departure notices customs
/// accepts, then the summary declaration; final too, and set by the store, never by a receipt's
/// code). Statuses Clearance sets itself
/// before any receipt (`declared`, `awaiting documents`…) rank below all of them. Codes customs
/// may add rank with the e-port stages: they can move a declaration that has no receipt yet, and
/// never a decided one.
public struct CustomsProgress: Sendable, Hashable, Comparable {
    /// Higher is further along.
    public let rank: Int
    /// No receipt moves a declaration out of this state.
    public let isFinal: Bool

    /// Reads a declaration status (a `returnStatus`, or one of Clearance's own flow statuses).
    public init(status: String) {
        switch status {
        case "120": (rank, isFinal) = (2, false)
        case "300": (rank, isFinal) = (3, false)
        case "399": (rank, isFinal) = (4, false)
        case "500": (rank, isFinal) = (5, false)
        case "100", "700": (rank, isFinal) = (7, true)
        case "800": (rank, isFinal) = (8, false)
        case DeclarationStatus.arrived.rawValue: (rank, isFinal) = (9, false)
        case DeclarationStatus.departed.rawValue: (rank, isFinal) = (10, false)
        case "899": (rank, isFinal) = (11, true)
        case DeclarationStatus.summarising.rawValue: (rank, isFinal) = (12, true)
        case DeclarationStatus.summarized.rawValue: (rank, isFinal) = (13, true)
        default:
            if status.count == 3, status.hasPrefix("5"), status.allSatisfy(\.isNumber) { (rank, isFinal) = (6, false) }
            else if let first = status.first, first == "-" || first.isNumber { (rank, isFinal) = (1, false) }
            else { (rank, isFinal) = (0, false) } // Clearance's own statuses: no receipt yet.
        }
    }

    public static func < (a: CustomsProgress, b: CustomsProgress) -> Bool { a.rank < b.rank }

    /// Whether a receipt with status `new` moves a declaration now in `current`.
    /// - Parameter newerExists: a stored receipt of the same rank carries a later `returnTime`.
    public static func moves(from current: String, to new: String, newerExists: Bool) -> Bool {
        let from = CustomsProgress(status: current)
        let to = CustomsProgress(status: new)
        if from.isFinal { return false }
        if to.rank != from.rank { return to.rank > from.rank }
        return !newerExists
    }
}
