import CEBModel

/// What makes export inventories one customs export declaration (customs' summary rule): the
/// same shipper/receiver (收发货人, `ebcCode`), transport mode (`trafMode`), producer/seller
/// (生产销售单位, `ownerCode`), destination country (运抵国, `country`) and exit port (出境关别, `portCode`).
public struct SummaryDeclarationKey: Sendable, Hashable, Comparable {
    public var ebcCode: String
    public var trafMode: String
    public var ownerCode: String
    public var country: String
    public var portCode: String

    var fields: [String] { [ebcCode, trafMode, ownerCode, country, portCode] }
    public static func < (a: Self, b: Self) -> Bool { a.fields.lexicographicallyPrecedes(b.fields) }
}

/// What makes goods one line of a declaration: the same final destination country (最终目的国,
/// the line's `country`), 10-digit HS code (`gcode`) and currency.
public struct SummaryLineKey: Sendable, Hashable, Comparable {
    public var country: String
    public var gcode: String
    public var currency: String

    public init(country: String, gcode: String, currency: String) {
        self.country = country
        self.gcode = gcode
        self.currency = currency
    }

    var fields: [String] { [country, gcode, currency] }
    public static func < (a: Self, b: Self) -> Bool { a.fields.lexicographicallyPrecedes(b.fields) }
}

/// One line of a declaration: its goods summed exactly (10⁻⁵ units, no floating point).
public struct SummaryLine: Sendable, Hashable {
    public var key: SummaryLineKey
    /// The goods name (`gname`) of the first inventory line summed.
    public var goodsName: String
    /// The legal unit (`unit1`) of the first inventory line summed (the HS code sets it).
    public var unit: String
    /// The declared unit (`unit`) of the first inventory line summed.
    public var declaredUnit: String
    /// Σ legal quantity (`qty1`).
    public var quantity: CEBDecimal
    /// Σ declared quantity (`qty`).
    public var declaredQuantity: CEBDecimal
    /// Σ line value (`totalPrice`).
    public var value: CEBDecimal
    /// How many inventory lines went in.
    public var inventoryLines: Int
}

/// One inventory in a declaration.
public struct SummaryInventory: Sendable, Hashable {
    public var declarationId: Int64
    public var copNo: String
    public var invtNo: String
    public var logisticsNo: String
}

/// One customs export declaration a summary run forms.
public struct SummaryDeclaration: Sendable, Hashable {
    public var key: SummaryDeclarationKey
    public var inventories: [SummaryInventory]
    public var lines: [SummaryLine]

    /// Σ value per currency over the lines.
    public var totals: [(currency: String, value: CEBDecimal)] {
        var sums: [String: CEBDecimal] = [:]
        // Each line's value fitted, and the lines of one currency are the same goods regrouped: no overflow here.
        for line in lines { sums[line.key.currency, default: .zero] = sums[line.key.currency, default: .zero] &+ line.value }
        return sums.keys.sorted().map { ($0, sums[$0]!) }
    }
}
