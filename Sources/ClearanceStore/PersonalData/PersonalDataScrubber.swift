/// Masks resident ID numbers and mainland mobile numbers in free text: log lines, error
/// details, and the text of an XML document that is not a personal-data element.
///
/// It looks for numbers that stand alone. The text just before and after them must not be an
/// ASCII letter, digit or `_`: the same digits inside a guid, a key or a transaction id
/// (`HXPAY2026112509351200001`) are no number at all. Anything else counts as a boundary,
/// CJK characters included, so `身份证350128199003070024` is masked. A number with a decimal
/// point next to it is an amount and is left alone.
///
/// What it masks, each in the format of ``BuyerIdentityMasker``:
/// - 18-character resident IDs (17 digits and a digit or `X`) and 15-digit legacy IDs, when
///   their birth-date digits are a plausible date (so 14- and 17-digit timestamps, and most
///   other long numbers, are not IDs);
/// - 11-digit mobiles `1[3-9]…`, optionally grouped 3-4-4 by single spaces or hyphens, and
///   optionally after `+86` or `0086` (with or without a space or hyphen).
///
/// Masking replaces digits one for one with `*`, so lengths and positions never change.
public enum PersonalDataScrubber {
    /// The line with every ID and mobile number masked.
    public static func scrub(_ line: String) -> String {
        var bytes = Array(line.utf8)
        scrub(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Masks the UTF-8 `text` in place.
    public static func scrub(_ text: inout [UInt8]) {
        var index = 0
        while index < text.count {
            guard startsNumber(text, at: index) else {
                index += 1
                continue
            }
            if let end = maskMobile(&text, at: index) ?? maskID(&text, at: index) {
                index = end
            } else {
                // Not a match: skip the rest of this run, which is no boundary.
                index += 1
                while index < text.count, isDigit(text[index]) { index += 1 }
            }
        }
    }

    // MARK: Mobiles

    private static let countryPrefixes = [Array("+86".utf8), Array("0086".utf8)]

    /// Masks a mobile number starting at `start` (country prefix allowed); returns its end.
    private static func maskMobile(_ text: inout [UInt8], at start: Int) -> Int? {
        var index = start
        for prefix in countryPrefixes where hasPrefix(text, prefix, at: start) {
            index = start + prefix.count
            if index < text.count, isSeparator(text[index]) { index += 1 }
            break
        }
        guard index < text.count, isDigit(text[index]) else { return nil }
        // 3-4-4 digits, a single optional separator between groups.
        var digits: [Int] = []
        for group in [3, 4, 4] {
            if group != 3, index < text.count, isSeparator(text[index]), index + 1 < text.count, isDigit(text[index + 1]) {
                index += 1
            }
            for _ in 0..<group {
                guard index < text.count, isDigit(text[index]) else { return nil }
                digits.append(index)
                index += 1
            }
        }
        guard text[digits[0]] == UInt8(ascii: "1"), (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(text[digits[1]]),
              endsNumber(text, at: index) else { return nil }
        for position in digits[3..<7] { text[position] = UInt8(ascii: "*") }
        return index
    }

    // MARK: ID numbers

    /// Masks an 18- or 15-character ID number starting at `start`; returns its end.
    private static func maskID(_ text: inout [UInt8], at start: Int) -> Int? {
        var end = start
        while end < text.count, isDigit(text[end]) { end += 1 }
        if end - start == 17, end < text.count, text[end] == UInt8(ascii: "X") || text[end] == UInt8(ascii: "x") { end += 1 }
        let length = end - start
        guard length == 18 || length == 15, endsNumber(text, at: end) else { return nil }
        // Birth date after the 6-digit region: YYYYMMDD in an 18-character ID, YYMMDD in a 15-digit one.
        let month = length == 18 ? start + 10 : start + 8
        let century = number(text, start + 6, 2)
        guard length == 15 || century == 18 || century == 19 || century == 20,
              (1...12).contains(number(text, month, 2)), (1...31).contains(number(text, month + 2, 2)) else { return nil }
        let keep = length == 18 ? 4 : 2  // as BuyerIdentityMasker.maskIdNumber
        for position in (start + keep)..<(end - keep) { text[position] = UInt8(ascii: "*") }
        return end
    }

    // MARK: Boundaries

    /// Whether a number may start at `index`: a digit or `+`, not inside a token or an amount.
    private static func startsNumber(_ text: [UInt8], at index: Int) -> Bool {
        let byte = text[index]
        guard isDigit(byte) || (byte == UInt8(ascii: "+") && index + 1 < text.count && isDigit(text[index + 1])) else { return false }
        guard index > 0 else { return true }
        let before = text[index - 1]
        if isWord(before) { return false }
        return !(before == UInt8(ascii: ".") && index > 1 && isDigit(text[index - 2]))
    }

    /// Whether a number may end before `index`: the end, or no word character and no decimal point.
    private static func endsNumber(_ text: [UInt8], at index: Int) -> Bool {
        guard index < text.count else { return true }
        let after = text[index]
        if isWord(after) { return false }
        return !(after == UInt8(ascii: ".") && index + 1 < text.count && isDigit(text[index + 1]))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// ASCII letters, digits and `_`: what guids, keys and codes are made of.
    private static func isWord(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") }

    private static func hasPrefix(_ text: [UInt8], _ prefix: [UInt8], at index: Int) -> Bool {
        index + prefix.count <= text.count && text[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    /// The decimal value of `count` digits at `index`, or -1 when they are not all digits.
    private static func number(_ text: [UInt8], _ index: Int, _ count: Int) -> Int {
        var value = 0
        for position in index..<(index + count) {
            guard position < text.count, isDigit(text[position]) else { return -1 }
            value = value * 10 + Int(text[position] - UInt8(ascii: "0"))
        }
        return value
    }
}
