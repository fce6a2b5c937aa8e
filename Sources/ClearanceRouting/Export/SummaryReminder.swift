import ClearanceStore
import Foundation

/// One enterprise's summary declaration still to file: how many of its export inventories customs
/// cleared are in no summary application yet, the month they are reminded for (the one before
/// now, China time) and the day that month's summary is due (``SummaryPeriod/deadline(holidays:)``).
/// `clearance stats`, the ops overview and `GET /v1/export/summary-reminders` all show these rows.
public struct SummaryReminder: Sendable, Hashable, Codable {
    public var ebcCode: String
    public var clearedNotSummarised: Int
    /// `YYYY-MM`.
    public var period: String
    /// `YYYY-MM-DD`.
    public var deadline: String

    /// The reminders for the store's counts (``ExportSummaryStore/exportsToSummarise()``) at `now`.
    public static func reminders(_ counts: [StoreStats.EnterpriseCount], now: Date = Date(), holidays: Set<String> = []) -> [SummaryReminder] {
        let month = SummaryPeriod.previous(to: now)
        let deadline = month.deadlineText(holidays: holidays)
        return counts.map { SummaryReminder(ebcCode: $0.ebcCode, clearedNotSummarised: $0.count, period: month.description, deadline: deadline) }
    }
}
