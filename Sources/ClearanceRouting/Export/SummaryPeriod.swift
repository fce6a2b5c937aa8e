import CEBModel
import Foundation

/// A calendar month of export clearance (`YYYY-MM`), and when its summary declaration is due.
///
/// Customs' rule (海关总署公告2018年第194号, 《关于跨境电子商务零售进出口商品有关监管事宜的公告》 article 12
/// and the 9610 summary procedure): the enterprise or its agent summarises a month's cleared export
/// inventories by the 15th of the following month; a deadline on a weekend or official holiday moves to
/// the next working day. Clearance knows weekends; official holidays are known only when configured
/// (``deadline(holidays:)``).
public struct SummaryPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// Reads `YYYY-MM`; nil for anything else (month 01–12, four-digit year).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month), year >= 1 else { return nil }
        self.year = year
        self.month = month
    }

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// `YYYY-MM`.
    public var description: String { String(format: "%04d-%02d", year, month) }

    /// `YYYYMM`, as CEB dates begin.
    public var digits: String { String(format: "%04d%02d", year, month) }

    /// Whether a CEB date (`yyyyMMdd…`) falls in this month.
    public func contains(cebDate: String) -> Bool { cebDate.count >= 8 && cebDate.hasPrefix(digits) }

    /// The period a CEB date (`yyyyMMdd…`) falls in, or nil when it is not one.
    public static func of(cebDate: String) -> SummaryPeriod? {
        guard cebDate.count >= 8 else { return nil }
        return SummaryPeriod(String(cebDate.prefix(4)) + "-" + String(cebDate.dropFirst(4).prefix(2)))
    }

    /// The month before the one `date` falls in (China time): the month whose summary is due next.
    public static func previous(to date: Date) -> SummaryPeriod {
        let digits = ChinaTime.cebTime(date, milliseconds: false)
        let year = Int(digits.prefix(4)) ?? 2000, month = Int(digits.dropFirst(4).prefix(2)) ?? 1
        return month == 1 ? SummaryPeriod(year: year - 1, month: 12) : SummaryPeriod(year: year, month: month - 1)
    }

    /// The deadline as `YYYY-MM-DD`.
    public func deadlineText(holidays: Set<String> = []) -> String {
        let d = deadline(holidays: holidays)
        return String(format: "%04d-%02d-%02d", d.year, d.month, d.day)
    }

    /// The month after this one.
    public var next: SummaryPeriod { month == 12 ? SummaryPeriod(year: year + 1, month: 1) : SummaryPeriod(year: year, month: month + 1) }

    /// The day the summary is due (China calendar): the 15th of the following month, moved past
    /// Saturdays, Sundays and the given holidays (`yyyyMMdd`) to the next working day.
    public func deadline(holidays: Set<String> = []) -> (year: Int, month: Int, day: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
        let following = next
        var date = calendar.date(from: DateComponents(year: following.year, month: following.month, day: 15, hour: 12))!
        while true {
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let key = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
            if c.weekday != 1, c.weekday != 7, !holidays.contains(key) { return (c.year!, c.month!, c.day!) }
            date = calendar.date(byAdding: .day, value: 1, to: date)!
        }
    }

    public static func < (a: SummaryPeriod, b: SummaryPeriod) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
