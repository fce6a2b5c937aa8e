import CEBModel

/// Customs' line rule in one place: inventory lines of the same final destination country,
/// 10-digit HS code and currency are one declaration line, their quantities and values summed
/// exactly. The summary run (``SummaryPlanner``) and the tax-refund dataset (``TaxRefundPlanner``)
/// both sum through it, so the lines an exporter files for the refund are the lines its summary formed.
struct SummaryLineSum {
    private var lines: [SummaryLineKey: SummaryLine] = [:]
    /// Per line, the inventories whose lines went into it, in the order they were added, once each
    /// (kept only when asked: the tax-refund dataset lists them, a summary run does not need them).
    private var sources: [SummaryLineKey: [String]] = [:]
    private let keepsSources: Bool

    init(keepsSources: Bool = true) {
        self.keepsSources = keepsSources
    }

    /// Adds every line of `inventory`, which is known to callers as `source` (its invtNo).
    mutating func add(_ inventory: ExportInventory, source: String) throws(SummaryError) {
        for line in inventory.lines {
            let key = SummaryLineKey(country: line.country, gcode: line.gcode, currency: line.currency)
            var sum = lines[key] ?? SummaryLine(key: key, goodsName: line.gname, unit: line.unit1, declaredUnit: line.unit,
                                                quantity: .zero, declaredQuantity: .zero, value: .zero, inventoryLines: 0)
            sum.quantity = try Self.add(sum.quantity, line.qty1, "legal quantity of \(line.gcode)")
            sum.declaredQuantity = try Self.add(sum.declaredQuantity, line.qty, "quantity of \(line.gcode)")
            sum.value = try Self.add(sum.value, line.totalPrice, "value of \(line.gcode) in \(line.currency)")
            sum.inventoryLines += 1
            lines[key] = sum
            if keepsSources, sources[key]?.last != source { sources[key, default: []].append(source) }
        }
    }

    /// The lines in key order.
    var sorted: [SummaryLine] { lines.keys.sorted().map { lines[$0]! } }

    /// The inventories behind the line `key`.
    func sources(of key: SummaryLineKey) -> [String] { sources[key] ?? [] }

    private static func add(_ a: CEBDecimal, _ b: CEBDecimal, _ what: String) throws(SummaryError) -> CEBDecimal {
        // Exact in 10⁻⁵ units; a sum past Int64 (beyond any real month) stops the run rather than wrapping.
        guard let sum = a.adding(b) else { throw .overflow(what) }
        return sum
    }
}
