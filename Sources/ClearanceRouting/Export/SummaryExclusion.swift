import ClearanceStore

/// Why an export inventory of the enterprise is not in any declaration of a summary run.
public enum SummaryExclusionReason: Sendable, Hashable, CustomStringConvertible {
    /// `statisticsFlag` A (简化申报): no licence, no export duty, no tax refund; never summarised.
    case simplified
    /// Not cleared (结关, 899) yet: its status now.
    case notCleared(DeclarationStatus)
    /// Cancelled, returned by customs, deleted or its goods came back: its status now.
    case cancelled(DeclarationStatus)
    /// Already in a summary application (its copNo), or summarised into a declaration (its entryId).
    case alreadySummarised(application: String?, entryId: String?)
    /// Exported in another month (`ieDate`'s `YYYY-MM`).
    case anotherPeriod(String)
    /// Its message could not be read back (the reason).
    case unreadable(String)

    /// A stable word for scripts.
    public var code: String {
        switch self {
        case .simplified: "simplified"
        case .notCleared: "not-cleared"
        case .cancelled: "cancelled"
        case .alreadySummarised: "already-summarised"
        case .anotherPeriod: "another-period"
        case .unreadable: "unreadable"
        }
    }

    public var description: String {
        switch self {
        case .simplified: "simplified declaration (statisticsFlag A)"
        case .notCleared(let status): "not cleared (status \(status))"
        case .cancelled(let status): "cancelled or returned (status \(status))"
        case .alreadySummarised(let application, let entryId):
            "already summarised" + (application.map { " in \($0)" } ?? "") + (entryId.map { ", declaration \($0)" } ?? "")
        case .anotherPeriod(let period): "another period (\(period))"
        case .unreadable(let why): "message unreadable: \(why)"
        }
    }
}

/// An export inventory left out of a summary run, and why.
public struct SummaryExclusion: Sendable, Hashable {
    public var copNo: String?
    public var invtNo: String?
    public var reason: SummaryExclusionReason
}
