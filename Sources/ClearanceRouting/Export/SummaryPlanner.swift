import CEBModel
import ClearanceStore

/// What a summary run finds for one enterprise and month: the declarations customs will form out
/// of its cleared, not yet summarised inventories, and every other inventory with why it is left out.
public struct SummaryPlan: Sendable, Hashable {
    public var ebcCode: String
    public var period: SummaryPeriod
    /// In key order, each with its inventories in store order and its lines in key order.
    public var declarations: [SummaryDeclaration]
    public var exclusions: [SummaryExclusion]
}

/// An export inventory as stored, with its document read back from its message (nil: unreadable, with why).
public struct SummaryCandidate: Sendable, Hashable {
    public var standing: ExportInventoryStanding
    public var inventory: ExportInventory?
    public var unreadable: String?

    public init(standing: ExportInventoryStanding, inventory: ExportInventory?, unreadable: String? = nil) {
        self.standing = standing
        self.inventory = inventory
        self.unreadable = unreadable
    }
}

/// Customs' summary rule, applied ahead of customs so the enterprise sees what it will get:
/// only cleared (899) inventories declared for summary (`statisticsFlag` B) of the month (`ieDate`,
/// the export date) that are in no summary yet; one declaration per ``SummaryDeclarationKey``,
/// one line per ``SummaryLineKey`` with quantities and values summed exactly.
public enum SummaryPlanner {
    public static func plan(_ candidates: [SummaryCandidate], ebcCode: String, period: SummaryPeriod) throws(SummaryError) -> SummaryPlan {
        var accumulator = SummaryPlanAccumulator(ebcCode: ebcCode, period: period)
        for candidate in candidates { try accumulator.add(candidate) }
        return accumulator.plan
    }

    /// Why the inventory's status keeps it out, or nil when it is cleared and in no summary.
    static func standingReason(_ s: ExportInventoryStanding) -> SummaryExclusionReason? {
        if s.summaryCopNo != nil || s.entryId != nil || s.status == .summarising || s.status == .summarized {
            return .alreadySummarised(application: s.summaryCopNo, entryId: s.entryId)
        }
        if [.cancelled, .returned, .deleted, .exportReturned, .refused, DeclarationStatus("700")].contains(s.status) {
            return .cancelled(s.status)
        }
        return s.status == .cleared ? nil : .notCleared(s.status)
    }
}
