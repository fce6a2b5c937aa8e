import Foundation

/// China Standard Time (UTC+8, no daylight saving), the clock of every CEB timestamp: the one
/// place that reads and writes them, so the store's year bounds, receipts, transport envelopes
/// and the simulator agree to the millisecond.
public enum ChinaTime {
    /// Seconds east of UTC.
    public static let offsetSeconds = 8 * 3600

    /// The instant of a CEB timestamp: `yyyyMMddHHmmss`, `yyyyMMddHHmmssSSS`, or a prefix such as
    /// `yyyyMMdd`; nil when the text is not one. Digit arithmetic, no formatter: it runs per
    /// declaration on the ingest path.
    public static func date(cebTime text: String) -> Date? {
        var digits: [Int] = []
        digits.reserveCapacity(17)
        for byte in text.utf8 {
            guard byte >= 48, byte <= 57 else { return nil }
            digits.append(Int(byte - 48))
        }
        guard digits.count >= 8, digits.count <= 17 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int {
            var n = 0
            for i in from..<(from + count) { n = n * 10 + (i < digits.count ? digits[i] : 0) }
            return n
        }
        let (year, month, day) = (number(0, 4), number(4, 2), number(6, 2))
        let (hour, minute, second, millis) = (number(8, 2), number(10, 2), number(12, 2), number(14, 3))
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(millis) / 1000)
    }

    /// `yyyyMMddHHmmssSSS` (17 digits, receipts' `returnTime`) or, with `milliseconds: false`,
    /// `yyyyMMddHHmmss` (14, `appTime`).
    public static func cebTime(_ date: Date, milliseconds: Bool = true) -> String {
        let parts = components(date)
        var text = pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2)
        if milliseconds { text += pad(parts.millis, 3) }
        return text
    }

    /// `yyyy-MM-dd'T'HH:mm:ss` in China time (the transport envelope's `SendTime`).
    public static func isoTime(_ date: Date) -> String {
        let p = components(date)
        return "\(pad(p.year, 4))-\(pad(p.month, 2))-\(pad(p.day, 2))T\(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2))"
    }

    /// 1 January of `year` and of the next year, 00:00 China time.
    public static func yearBounds(_ year: Int) -> (start: Date, end: Date) {
        func start(_ y: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(daysFromCivil(y, 1, 1) * 86_400 - offsetSeconds)) }
        return (start(year), start(year + 1))
    }

    /// The calendar year of `date` in China.
    public static func year(of date: Date) -> Int { components(date).year }

    // MARK: Civil calendar (proleptic Gregorian), Howard Hinnant's algorithms

    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) {
        let totalMillis = Int((date.timeIntervalSince1970 * 1000).rounded()) + offsetSeconds * 1000
        let millis = ((totalMillis % 1000) + 1000) % 1000
        let seconds = (totalMillis - millis) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60, millis)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
