/// A ``CEBDecimal`` encodes as its decimal text (`"337.51"`), so no precision is lost to a
/// binary floating-point number on the way through JSON.
extension CEBDecimal: Codable {
    /// Decodes decimal text such as `"337.51"`; a JSON number is also accepted, read through its
    /// shortest textual form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = CEBDecimal(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a decimal with at most 5 fraction digits")
            }
            self = value
            return
        }
        if let whole = try? container.decode(Int.self), let value = CEBDecimal(String(whole)) {
            self = value
            return
        }
        let number = try container.decode(Double.self)
        guard number.isFinite, let value = CEBDecimal(Self.plainText(number)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(number) is not a decimal with at most 5 fraction digits")
        }
        self = value
    }

    /// Encodes the value as its decimal text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `number` as plain decimal text rounded to 5 decimals, without exponent.
    private static func plainText(_ number: Double) -> String {
        let scaled = (number * 100_000).rounded()
        guard abs(scaled) < 9.2e18 else { return "x" }
        return CEBDecimal(units: Int64(scaled)).description
    }
}
