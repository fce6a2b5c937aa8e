/// The customs' own code tables (JGS-20), not ISO: 3-digit country, currency and unit codes.
///
/// Kept as data so that a table update is a one-line change. Countries are the blocks the
/// customs table assigns per continent; currencies and units list the codes in use for
/// cross-border e-commerce. Each table is a 1000-entry bitmap, looked up by value, so a
/// check never allocates.
public struct CodeTable: Sendable {
    /// What the table lists, for messages ("country", "currency", "unit").
    public let name: String
    private let members: [Bool]

    /// Creates a table from codes and closed ranges of codes.
    public init(name: String, codes: [Int] = [], ranges: [ClosedRange<Int>] = []) {
        self.name = name
        var members = [Bool](repeating: false, count: 1000)
        for code in codes { members[code] = true }
        for range in ranges { for code in range { members[code] = true } }
        self.members = members
    }

    /// Whether `bytes` is exactly three digits naming a member.
    public func contains(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 3 else { return false }
        var value = 0
        for byte in bytes {
            guard byte &- 48 < 10 else { return false }
            value = value * 10 + Int(byte &- 48)
        }
        return members[value]
    }

    /// Whether `code` is a member.
    public func contains(_ code: String) -> Bool {
        var copy = code
        return copy.withUTF8 { contains($0) }
    }
}

extension CodeTable {
    /// Countries and regions: Asia 101–149, Africa 201–258, Europe 301–360, Latin America
    /// 401–449, North America 501–503, Oceania 601–625, each continent's "other" (199, 299…)
    /// and 701 (unknown). 142 China, 143 Taiwan (Penghu, Kinmen, Matsu), 110 Hong Kong, 121 Macao.
    public static let countries = CodeTable(
        name: "country",
        codes: [199, 299, 399, 499, 599, 699, 701],
        ranges: [101...149, 201...258, 301...360, 401...449, 501...503, 601...625]
    )

    /// Currencies: 142 CNY, 110 HKD, 121 MOP, 143 TWD, 116 JPY, 133 KRW, 132 SGD, 136 THB,
    /// 122 MYR, 129 PHP, 300 EUR, 303 GBP, 302 DKK, 326 NOK, 330 SEK, 331 CHF, 344 RUB,
    /// 501 CAD, 502 USD, 601 AUD, 609 NZD.
    public static let currencies = CodeTable(
        name: "currency",
        codes: [110, 113, 116, 118, 121, 122, 127, 129, 132, 133, 136, 142, 143, 300, 302, 303, 326, 330, 331, 344, 501, 502, 601, 609]
    )

    /// Units of measure: 001 set (台), 007 piece (个), 011 piece (件), 035 kg, 036 g, 070 tonne,
    /// 095 litre, 096 ml, 120 box, 122 can, 125 pack, 136 bag, 140 box (盒), 142 bottle …
    public static let units = CodeTable(
        name: "unit",
        codes: [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30,
            31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
            58, 59, 60, 61, 62, 63, 67, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 83, 84, 85, 86, 88, 89, 95, 96,
            97, 98, 99, 101, 110, 111, 112, 115, 116, 118, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131,
            132, 133, 134, 135, 136, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 163,
        ]
    )
}
