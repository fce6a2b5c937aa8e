import Foundation

/// ISO 8601 dates and times in JSON turned into CEB's China-time digits (``ChinaTime``).
enum ISODate {
    /// `2026-11-25` (for `digits` 8), or `2026-11-25T09:30:00+08:00` / `…Z` / `…09:30:00.250+08:00`
    /// (for 14 or 17) as CEB digits in China time; nil when it is not one. A time without an offset
    /// is refused: which clock it means is exactly what goes wrong across a border.
    static func cebText(_ text: String, digits: Int) -> String? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var n = 0
            for b in bytes[range] {
                guard (48...57).contains(b) else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        if digits == 8 {
            guard bytes.count == 10, (1...12).contains(month), (1...31).contains(day) else { return nil }
            return pad(year, 4) + pad(month, 2) + pad(day, 2)
        }
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var index = 19
        var millis = 0
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start, let fraction = number(start..<min(index, start + 3)) else { return nil }
            millis = fraction * [100, 10, 1][min(index, start + 3) - start - 1]
        }
        let offset: Int
        if index == bytes.count - 1, bytes[index] == UInt8(ascii: "Z") {
            offset = 0
        } else if index == bytes.count - 6, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
                  bytes[index + 3] == UInt8(ascii: ":"), let h = number((index + 1)..<(index + 3)), let m = number((index + 4)..<(index + 6)) {
            offset = (bytes[index] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
        } else {
            return nil
        }
        guard let local = ChinaTime.date(cebTime: pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(hour, 2) + pad(minute, 2) + pad(second, 2)),
              pad(day, 2) == String(ChinaTime.cebTime(local, milliseconds: false).dropFirst(6).prefix(2)) else { return nil }
        // `local` read the wall clock as China time; shift it to the offset the text gives.
        let instant = local.addingTimeInterval(TimeInterval(ChinaTime.offsetSeconds - offset) + TimeInterval(millis) / 1000)
        return ChinaTime.cebTime(instant, milliseconds: digits == 17)
    }
}
