/// What an export e-commerce enterprise files for the export tax refund (出口退（免）税) of one
/// month: every customs export declaration its summary formed (CEB792 with an `entryId`), with the
/// declaration's lines and the inventories behind each. Plain strings and numbers, so the API,
/// the CLI and CSV give the same figures (decimals exactly as summed, never through floating point).
public struct TaxRefundReport: Sendable, Hashable, Encodable {
    /// The e-commerce enterprise (shipper/receiver).
    public var ebcCode: String
    /// `YYYY-MM`: the month exported (the inventories' `ieDate`), as summarised.
    public var period: String
    /// In declaration-number order.
    public var declarations: [TaxRefundDeclaration]
    /// Summarised inventories of the enterprise that could not be read back (`invtNo: why`): their
    /// declarations are listed without them, so the sums say what was read.
    public var unreadable: [String]
}

/// One customs export declaration formed by a summary.
public struct TaxRefundDeclaration: Sendable, Hashable, Encodable {
    /// The customs declaration number (CEB792 `entryId`, 18 digits).
    public var entryId: String
    /// The state customs gave it (CEB792 `decState`).
    public var decState: String?
    /// The summary application (CEB701 copNo) it answered.
    public var summaryCopNo: String?
    /// yyyyMMdd: the latest export date (`ieDate`) of its inventories (see schemas/README.md: unconfirmed).
    public var exportDate: String
    /// The summary's grouping keys: shipper/receiver, transport mode, producer/seller, destination country, exit port.
    public var shipper: String
    public var trafMode: String
    public var ownerCode: String
    public var country: String
    public var portCode: String
    public var inventories: [TaxRefundInventory]
    /// One per final destination country, 10-digit HS code and currency, numbered from 1 in key order.
    public var lines: [TaxRefundLine]
    /// Σ value per currency.
    public var totals: [TaxRefundTotal]
}

/// One inventory summarised into a declaration.
public struct TaxRefundInventory: Sendable, Hashable, Encodable {
    public var invtNo: String
    public var copNo: String
    public var orderNo: String
    public var logisticsNo: String
    /// yyyyMMdd (`ieDate`).
    public var exportDate: String
}

/// One line of a declaration as filed for the refund.
public struct TaxRefundLine: Sendable, Hashable, Encodable {
    public var lineNo: Int
    /// The 10-digit HS code (`gcode`).
    public var gcode: String
    /// `gname` of the first inventory line summed.
    public var goodsName: String
    /// Σ legal quantity (`qty1`) in the legal unit (`unit1`).
    public var quantity: String
    public var unit: String
    /// Σ declared quantity (`qty`) in the declared unit (`unit`).
    public var declaredQuantity: String
    public var declaredUnit: String
    /// Σ `totalPrice`.
    public var value: String
    public var currency: String
    /// The final destination country.
    public var country: String
    /// invtNos of the inventories whose lines are in it.
    public var inventories: [String]
}

/// Σ value of one currency.
public struct TaxRefundTotal: Sendable, Hashable, Encodable {
    public var currency: String
    public var value: String
}

extension TaxRefundReport {
    /// The CSV header: one row per declaration line.
    public static let csvHeader = ["entryId", "exportDate", "decState", "shipper", "country", "portCode", "lineNo", "gcode",
                                   "goodsName", "quantity", "unit", "declaredQuantity", "declaredUnit", "value", "currency",
                                   "destination", "inventories"]

    /// One row per declaration line (the inventories behind it space-separated), after a header.
    public var csv: String {
        var out = CSVText.row(Self.csvHeader)
        for d in declarations {
            for l in d.lines {
                out += CSVText.row([d.entryId, d.exportDate, d.decState ?? "", d.shipper, d.country, d.portCode, String(l.lineNo),
                                    l.gcode, l.goodsName, l.quantity, l.unit, l.declaredQuantity, l.declaredUnit, l.value,
                                    l.currency, l.country, l.inventories.joined(separator: " ")])
            }
        }
        return out
    }
}
