import CEBModel

/// The rates the cross-border retail import tax is computed with, versioned.
///
/// Entries are matched by the longest HS-code prefix; the `default` entry applies otherwise.
/// Sources: customs/finance announcements on cross-border retail import tax (2016 No. 18, 2018
/// No. 49) and the 2019 import VAT rates (13 % standard, 9 % reduced). Which products take the
/// reduced VAT rate and the exact tariff of every heading are **not** confirmed here: the table
/// keeps a small, documented set (see `schemas/README.md`, "Cross-message rules"), and a new
/// version string marks every change so a stored decision can name the rates it used.
public struct RetailImportTaxRates: Sendable {
    /// One row of the table.
    public struct Entry: Sendable, Hashable {
        /// HS-code prefix (2 to 10 digits); empty for the default row.
        public var hsPrefix: String
        /// Import VAT rate, e.g. `0.13`.
        public var vat: CEBDecimal
        /// Ad-valorem consumption tax rate, e.g. `0.15` for cosmetics; zero for most goods.
        public var consumption: CEBDecimal
        /// General-trade (MFN) tariff rate, charged only outside the retail limits.
        public var tariff: CEBDecimal
        /// What the row covers.
        public var label: String
    }

    /// The table's version, recorded with every tax decision.
    public var version: String
    /// Share of VAT and consumption tax charged inside the limits (`0.7`).
    public var retailShare: CEBDecimal
    /// Per-transaction limit (¥5,000).
    public var perOrderLimit: CEBDecimal
    /// Per-person annual limit (¥26,000).
    public var annualLimit: CEBDecimal
    /// Rows, most specific first after sorting by prefix length.
    public var entries: [Entry]
    /// The row used when no prefix matches.
    public var fallback: Entry

    /// The rates in force since 1 January 2019 (announcement 2018 No. 49; VAT 13 %/9 % since April 2019).
    public static let current = RetailImportTaxRates(
        version: "CBEC-2019.04-r1",
        retailShare: CEBDecimal(units: 70_000),
        perOrderLimit: CEBDecimal(5_000),
        annualLimit: CEBDecimal(26_000),
        entries: [
            Entry(hsPrefix: "49", vat: rate("0.09"), consumption: .zero, tariff: .zero, label: "books, newspapers, printed matter"),
            Entry(hsPrefix: "3303", vat: rate("0.13"), consumption: rate("0.15"), tariff: rate("0.03"), label: "perfumes and toilet waters (high-end)"),
            Entry(hsPrefix: "3304", vat: rate("0.13"), consumption: rate("0.15"), tariff: rate("0.01"), label: "beauty and make-up preparations (high-end)"),
            Entry(hsPrefix: "2204", vat: rate("0.13"), consumption: rate("0.10"), tariff: rate("0.14"), label: "wine of fresh grapes"),
            Entry(hsPrefix: "2208", vat: rate("0.13"), consumption: rate("0.20"), tariff: rate("0.10"), label: "spirits (ad-valorem part)"),
            Entry(hsPrefix: "7113", vat: rate("0.13"), consumption: rate("0.10"), tariff: rate("0.08"), label: "jewellery of precious metal"),
            Entry(hsPrefix: "9101", vat: rate("0.13"), consumption: rate("0.20"), tariff: rate("0.08"), label: "watches with precious-metal case (high-end)"),
            Entry(hsPrefix: "1901101", vat: rate("0.13"), consumption: .zero, tariff: rate("0.15"), label: "infant formula"),
        ],
        fallback: Entry(hsPrefix: "", vat: rate("0.13"), consumption: .zero, tariff: rate("0.10"), label: "other goods (standard VAT)"))

    /// The row for an HS code: the longest matching prefix, else ``fallback``.
    public func entry(for gcode: String) -> Entry {
        var best: Entry?
        for entry in entries where gcode.hasPrefix(entry.hsPrefix) {
            if entry.hsPrefix.count > (best?.hsPrefix.count ?? -1) { best = entry }
        }
        return best ?? fallback
    }

    private static func rate(_ text: String) -> CEBDecimal {
        guard let value = CEBDecimal(text) else { preconditionFailure("bad rate literal \(text)") }
        return value
    }
}
