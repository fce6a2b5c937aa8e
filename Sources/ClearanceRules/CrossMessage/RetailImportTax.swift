import CEBModel

/// The tax customs charges on a cross-border retail import, computed the way customs does.
///
/// Dutiable value per line = line total + its share of freight and insurance (shared by value,
/// the last line taking the remainder). Consumption tax = value × rate / (1 − rate); VAT =
/// (value + consumption tax) × VAT rate. Inside the limits the tariff is zero and VAT plus
/// consumption tax are charged at 70 %; outside them (a single indivisible item above the
/// per-order limit) the full general-trade tax applies, tariff included.
public struct RetailImportTax: Sendable, Hashable {
    /// Tax of one line.
    public struct Line: Sendable, Hashable {
        public var gnum: Int
        public var gcode: String
        /// Dutiable value (line total plus its freight/insurance share).
        public var dutiableValue: CEBDecimal
        public var tariff: CEBDecimal
        public var consumptionTax: CEBDecimal
        public var vat: CEBDecimal
        /// What is payable for the line (rounded to the cent).
        public var payable: CEBDecimal
    }

    /// The rate table version used.
    public var ratesVersion: String
    /// Whether the retail treatment (zero tariff, 70 %) applied.
    public var retailTreatment: Bool
    /// Total dutiable value.
    public var dutiableValue: CEBDecimal
    /// Payable tax (sum of the lines' rounded amounts).
    public var total: CEBDecimal
    /// Per line.
    public var lines: [Line]

    /// Computes the tax of an inventory.
    /// - Parameter retailTreatment: `false` for goods taxed as general trade (over the limits).
    public static func compute(
        _ inventory: Inventory, rates: RetailImportTaxRates = .current, retailTreatment: Bool = true
    ) -> RetailImportTax {
        let goods = CEBDecimal.sum(inventory.lines.map(\.totalPrice))
        let extras = inventory.head.freight.adding(inventory.head.insuredFee) ?? .zero
        var shared = CEBDecimal.zero
        var lines: [Line] = []
        for (index, line) in inventory.lines.enumerated() {
            let share: CEBDecimal
            if index == inventory.lines.count - 1 {
                share = extras &- shared
            } else if goods.units > 0 {
                share = CEBDecimal(units: Int64((Double(extras.units) * Double(line.totalPrice.units) / Double(goods.units)).rounded()))
                    .rounded(toFractionDigits: 2)
            } else {
                share = .zero
            }
            shared = shared &+ share
            let value = line.totalPrice &+ share
            let entry = rates.entry(for: line.gcode)
            let tariff = retailTreatment ? CEBDecimal.zero : (value.multiplied(by: entry.tariff) ?? .zero)
            let base = value &+ tariff
            // CT = base × r / (1 − r), exact to 10⁻⁵ via integer arithmetic.
            var consumption = CEBDecimal.zero
            if entry.consumption.units > 0 {
                let denominator = CEBDecimal.scale - entry.consumption.units
                let numerator = (base.multiplied(by: entry.consumption) ?? .zero).units
                consumption = CEBDecimal(units: (numerator * CEBDecimal.scale + denominator / 2) / denominator)
            }
            let vat = (base &+ consumption).multiplied(by: entry.vat) ?? .zero
            var payable = consumption &+ vat
            if retailTreatment { payable = payable.multiplied(by: rates.retailShare) ?? .zero }
            payable = (payable &+ tariff)
            lines.append(Line(
                gnum: line.gnum, gcode: line.gcode, dutiableValue: value, tariff: tariff,
                consumptionTax: consumption, vat: vat, payable: payable))
        }
        let exact = CEBDecimal.sum(lines.map(\.payable))
        return RetailImportTax(
            ratesVersion: rates.version, retailTreatment: retailTreatment, dutiableValue: CEBDecimal.sum(lines.map(\.dutiableValue)),
            total: exact.rounded(toFractionDigits: 2), lines: lines)
    }

    /// `TAX001` when the declared `taxTotal` differs from the computed tax by more than one cent.
    public func check(declared: CEBDecimal, field: String = "order.taxTotal") -> CrossMessageIssue? {
        let difference = (declared &- total).magnitude
        guard difference.units > 1_000 else { return nil }
        return CrossMessageIssue(
            code: "TAX001", field: field, expected: total.description, actual: declared.description,
            message: "the declared tax differs from the tax computed with rates \(ratesVersion)"
                + (retailTreatment ? " (retail: no tariff, 70 % of VAT and consumption tax)" : " (general trade: full tax)"))
    }
}
