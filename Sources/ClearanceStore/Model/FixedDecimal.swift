/// A fixed-point decimal with exactly five fractional digits, held as a scaled `Int64`.
///
/// CEB amounts and quantities are decimals with up to 19 digits and 5 decimals. `FixedDecimal`
/// keeps them exact: `123.45` is stored as `scaled == 12_345_000`. The range is
/// ±92,233,720,368,547.75807, enough for any single customs declaration.
///
/// Storage: PostgreSQL `NUMERIC(19,5)`, SQLite `INTEGER` holding ``scaled``.
public struct FixedDecimal: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Number of fractional digits.
    public static let scale = 5
    /// `10^scale`.
    public static let factor: Int64 = 100_000

    /// The value multiplied by ``factor``.
    public var scaled: Int64

    /// Creates a value from its scaled representation (`value * 100_000`).
    public init(scaled: Int64) { self.scaled = scaled }

    /// Creates a whole-number value; `nil` when it does not fit.
    public init?(units: Int64) {
        let (value, overflow) = units.multipliedReportingOverflow(by: Self.factor)
        if overflow { return nil }
        self.scaled = value
    }

    /// Parses a plain decimal such as `"-12.5"`, `"0.00001"` or `"100"`.
    ///
    /// Returns `nil` for an empty string, more than five fractional digits, exponents,
    /// grouping separators or a value outside the `Int64` range.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var integerPart: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            digits += 1
            if seenPoint {
                fractionDigits += 1
                if fractionDigits > Self.scale {
                    // Extra trailing zeros ("1.000000") are harmless; anything else loses precision.
                    if digit != 0 { return nil }
                    continue
                }
                fraction = fraction * 10 + digit
            } else {
                let (m, o1) = integerPart.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(digit)
                if o1 || o2 { return nil }
                integerPart = a
            }
        }
        guard digits > 0 else { return nil }
        for _ in min(fractionDigits, Self.scale)..<Self.scale { fraction *= 10 }
        let (m, o1) = integerPart.multipliedReportingOverflow(by: Self.factor)
        let (sum, o2) = m.addingReportingOverflow(fraction)
        if o1 || o2 { return nil }
        self.scaled = negative ? -sum : sum
    }

    /// Zero.
    public static let zero = FixedDecimal(scaled: 0)

    /// Canonical text with all five fractional digits, e.g. `"123.45000"` (also the
    /// PostgreSQL `NUMERIC(19,5)` literal).
    public var description: String {
        var text: [UInt8] = []
        appendText(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// ``description``'s bytes appended to `out` (the COPY encoder writes amounts so, without a
    /// `String` per field).
    func appendText(to out: inout [UInt8]) {
        if scaled < 0 { out.append(0x2D) }
        let factor = UInt64(Self.factor)
        Self.appendDigits(scaled.magnitude / factor, width: 1, to: &out)
        out.append(0x2E)
        Self.appendDigits(scaled.magnitude % factor, width: Self.scale, to: &out)
    }

    /// `value` in decimal, left-padded with zeros to `width` digits, appended to `out`.
    static func appendDigits(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: a UInt64 has at most 20 digits
        withUnsafeMutableBytes(of: &scratch) { digits in
            var v = value, start = digits.count
            repeat {
                start -= 1
                digits[start] = 0x30 + UInt8(v % 10)
                v /= 10
            } while v > 0 || digits.count - start < width
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Two-decimal text (yuan and fen), rounded half away from zero: how amounts are shown to people
    /// and in the API.
    public var money: String {
        let cents = (scaled + (scaled >= 0 ? 500 : -500)) / 1000
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(cents < 0 ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool { lhs.scaled < rhs.scaled }
}
