/// One JSON member turned into the lexical form its CEB field type takes in XML: the checks that
/// belong to JSON (its value kinds, ISO dates, number spelling). Lengths, code lists and facets are
/// the schema's, checked once on the rendered XML by the decoder like any message.
enum JSONFieldValue {
    /// The XML text of `value` for a field of `type`, or the issue (at `path`).
    static func text(_ value: JSONValue, type: FieldType, path: String) -> Result<String, JSONFieldIssue> {
        func wrong(_ expected: String) -> Result<String, JSONFieldIssue> {
            .failure(JSONFieldIssue(code: "JSN012", path: path, message: "expects \(expected), not \(value.kind)"))
        }
        func bad(_ why: String) -> Result<String, JSONFieldIssue> { .failure(JSONFieldIssue(code: "JSN013", path: path, message: why)) }
        switch type {
        case .string, .enumeration:
            switch value {
            case .string(let text):
                // XML 1.0 has no place for other control characters: the rendered message would not parse.
                if let bad = text.unicodeScalars.first(where: { ($0.value < 0x20 && !["\t", "\n", "\r"].contains($0)) || $0.value == 0xFFFE || $0.value == 0xFFFF }) {
                    return .failure(JSONFieldIssue(code: "JSN013", path: path, message: "U+\(String(bad.value, radix: 16, uppercase: true)) cannot appear in XML text"))
                }
                return .success(text)
            // Codes such as currency 142 are often sent as numbers: an integer's digits are the code.
            case .number(let literal) where literal.allSatisfy(\.isNumber): return .success(literal)
            default: return wrong("text")
            }
        case .integer:
            let literal: String
            switch value {
            case .number(let n), .string(let n): literal = n
            default: return wrong("a whole number")
            }
            guard !literal.isEmpty, literal.allSatisfy(\.isASCIIDigit) else { return bad("\(literal) is not a whole number of digits") }
            return .success(literal)
        case .decimal(_, let fractionDigits):
            let literal: String
            switch value {
            case .number(let n), .string(let n): literal = n
            default: return wrong("a number")
            }
            return decimal(literal, fractionDigits: fractionDigits).map { .success($0) } ?? bad(
                "\(literal) is not a decimal with at most \(fractionDigits) digits after the point (no exponent; money is never rounded)")
        case .dateTime14, .dateTime17, .date8:
            guard case .string(let text) = value else { return wrong("a date as text") }
            let digits = type == .date8 ? 8 : type == .dateTime14 ? 14 : 17
            if text.count == digits, text.allSatisfy(\.isASCIIDigit) { return .success(text) }
            guard let converted = ISODate.cebText(text, digits: digits) else {
                return bad("\(text) is neither \(digits) digits (China time) nor an ISO 8601 \(type == .date8 ? "date (2026-11-25)" : "time with its offset (2026-11-25T09:30:00+08:00)")")
            }
            return .success(converted)
        }
    }

    /// `literal` in plain decimal notation: no sign but `-`, no exponent, no leading zeros, at most
    /// `fractionDigits` decimals; a fraction keeps two places when the field has room for them
    /// (`742.5` reads `742.50`, `742.000` reads `742.00`), a whole number stays whole. Nil when it is
    /// not such a number.
    static func decimal(_ literal: String, fractionDigits: Int) -> String? {
        var text = Substring(literal)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        var integer = parts[0].drop { $0 == "0" }
        if integer.isEmpty { integer = "0" }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty else { return nil }
        let minimum = parts.count == 2 ? min(2, fractionDigits) : 0
        while fraction.count > minimum, fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        guard fraction.count <= fractionDigits else { return nil }
        let padded = String(fraction) + String(repeating: "0", count: max(0, minimum - fraction.count))
        return (negative ? "-" : "") + integer + (padded.isEmpty ? "" : "." + padded)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
