import Foundation

/// CEB timestamps: `yyyyMMddHHmmss` (or a prefix such as `yyyyMMdd`), China Standard Time (UTC+8).
enum CEBTime {
    private static let offsetSeconds = 8 * 3600

    /// The instant, or nil when the text is not a valid CEB timestamp.
    static func date(_ text: String) -> Date? {
        var digits: [Int] = []
        digits.reserveCapacity(17)
        for byte in text.utf8 {
            guard byte >= 48, byte <= 57 else { return nil }
            digits.append(Int(byte - 48))
        }
        guard digits.count >= 8 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int {
            var n = 0
            for i in from..<(from + count) { n = n * 10 + (i < digits.count ? digits[i] : 0) }
            return n
        }
        let (year, month, day) = (number(0, 4), number(4, 2), number(6, 2))
        let (hour, minute, second) = (number(8, 2), number(10, 2), number(12, 2))
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
