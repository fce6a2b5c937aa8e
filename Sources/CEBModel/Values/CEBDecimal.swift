/// An exact decimal as the CEB standard writes it: up to 5 fraction digits, kept as an
/// integer count of 10⁻⁵ units so that sums and comparisons are exact and allocation-free.
///
/// The range is ±92,233,720,368,547.75807: wider than any amount, quantity or weight a
/// declaration carries; larger values are refused when parsed.
public struct CEBDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in 10⁻⁵ units.
    public var units: Int64

    /// 10⁵: units per whole.
    public static let scale: Int64 = 100_000
    /// Zero.
    public static let zero = CEBDecimal(units: 0)

    /// Creates a value from 10⁻⁵ units.
    public init(units: Int64) { self.units = units }

    /// Creates a whole value.
    public init(_ whole: Int) { self.units = Int64(whole) * Self.scale }

    /// Parses `[-]digits[.digits]` with at most 5 fraction digits; nil for anything else.
    public init?(_ text: String) {
        var copy = text
        guard let value = copy.withUTF8({ CEBDecimal(utf8: $0) }) else { return nil }
        self = value
    }

    /// Parses UTF-8 bytes of `[-]digits[.digits]`; nil for anything else or when out of range.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let (value, _, _) = CEBDecimal.parse(bytes) else { return nil }
        self = value
    }

    /// Parses and also reports the integer and fraction digit counts (for XSD totalDigits checks).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (CEBDecimal, integerDigits: Int, fractionDigits: Int)? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        var units: Int64 = 0
        var integerDigits = 0, fractionDigits = 0
        while index < bytes.count, bytes[index] &- 48 < 10 {
            let (m, o1) = units.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(bytes[index] &- 48))
            if o1 || o2 { return nil }
            units = s
            integerDigits += 1
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] &- 48 < 10 {
                fractionDigits += 1
                if fractionDigits > 5 { return nil }
                units = units &* 10 &+ Int64(bytes[index] &- 48)
                index += 1
            }
            if fractionDigits == 0 { return nil }
        }
        guard index == bytes.count, integerDigits > 0 else { return nil }
        var pad = 5 - fractionDigits
        while pad > 0 {
            let (m, o) = units.multipliedReportingOverflow(by: 10)
            if o { return nil }
            units = m
            pad -= 1
        }
        return (CEBDecimal(units: negative ? -units : units), integerDigits, fractionDigits)
    }

    public static func < (a: CEBDecimal, b: CEBDecimal) -> Bool { a.units < b.units }
    /// Sum, wrapping on overflow: use ``adding(_:)`` on untrusted values.
    public static func &+ (a: CEBDecimal, b: CEBDecimal) -> CEBDecimal { CEBDecimal(units: a.units &+ b.units) }
    /// Difference, wrapping on overflow.
    public static func &- (a: CEBDecimal, b: CEBDecimal) -> CEBDecimal { CEBDecimal(units: a.units &- b.units) }

    /// The product, rounded half away from zero to 10⁻⁵ (`qty × price`); nil when it overflows.
    public func multiplied(by other: CEBDecimal) -> CEBDecimal? {
        let product = units.magnitude.multipliedFullWidth(by: other.units.magnitude)
        let scale = UInt64(Self.scale)
        guard product.high < scale else { return nil }
        let (quotient, remainder) = scale.dividingFullWidth(product)
        let rounded = remainder * 2 >= scale ? quotient + 1 : quotient
        guard rounded <= UInt64(Int64.max) else { return nil }
        let negative = (units < 0) != (other.units < 0)
        return CEBDecimal(units: negative ? -Int64(rounded) : Int64(rounded))
    }

    /// The sum; nil when it overflows.
    public func adding(_ other: CEBDecimal) -> CEBDecimal? {
        let (sum, overflow) = units.addingReportingOverflow(other.units)
        return overflow ? nil : CEBDecimal(units: sum)
    }

    /// This value rounded half away from zero to `digits` fraction digits (0...5).
    public func rounded(toFractionDigits digits: Int) -> CEBDecimal {
        var step: Int64 = 1
        for _ in 0..<(5 - digits) { step *= 10 }
        let magnitude = units.magnitude
        let q = (magnitude + UInt64(step / 2)) / UInt64(step) * UInt64(step)
        return CEBDecimal(units: units < 0 ? -Int64(q) : Int64(q))
    }

    /// Plain decimal text with 2 to 5 fraction digits, trailing zeros beyond 2 dropped.
    public var description: String {
        let magnitude = units.magnitude
        var fraction = String(magnitude % 100_000)
        fraction = String(repeating: "0", count: 5 - fraction.count) + fraction
        while fraction.count > 2 && fraction.last == "0" { fraction.removeLast() }
        return (units < 0 ? "-" : "") + String(magnitude / 100_000) + "." + fraction
    }

    /// As a `Double`, for tax percentages and display only.
    public var doubleValue: Double { Double(units) / Double(Self.scale) }
}
