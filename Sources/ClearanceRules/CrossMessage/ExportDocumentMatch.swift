import CEBModel

/// The documents the standard links to an export inventory (CEB603): the export order (CEB303)
/// and the receipt of payment (CEB403) by orderNo, the waybill (CEB505) by logisticsNo. A `nil`
/// document has not arrived (yet): on the export side payment often comes after the goods left.
public struct LinkedExportDocuments: Sendable, Hashable {
    public var order: ExportOrder?
    public var receipt: PaymentReceipt?
    public var waybill: ExportLogistics?

    public init(order: ExportOrder? = nil, receipt: PaymentReceipt? = nil, waybill: ExportLogistics? = nil) {
        self.order = order
        self.receipt = receipt
        self.waybill = waybill
    }

    /// The kinds not stored, in the order customs lists them.
    public var missing: [String] {
        var out: [String] = []
        if order == nil { out.append("export order (CEB303)") }
        if receipt == nil { out.append("receipt of payment (CEB403)") }
        if waybill == nil { out.append("export waybill (CEB505)") }
        return out
    }
}

/// What the export match found for one inventory.
public enum ExportMatchVerdict: Sendable, Hashable {
    /// Every linked document is in and agrees.
    case matched
    /// The documents stored agree; these have not arrived. Customs matches again when they do:
    /// the inventory is not held back (the receipt of payment commonly follows the export).
    case incomplete(missing: [String])
    /// A stored document disagrees with the inventory; one issue per field.
    case mismatched([CrossMessageIssue])
}

/// The export match, the export side of the import three-document match: the inventory checked
/// field by field against its order, receipt of payment and waybill where the standard links them
/// (orderNo, logisticsNo, ebpCode/ebcCode, amounts and goods).
///
/// Codes:
/// - `MAT101` platform code (`ebpCode`) differs between inventory and order or receipt of payment
/// - `MAT102` e-commerce enterprise (`ebcCode`) differs between inventory and order, receipt or waybill
/// - `MAT103` goods lines: an inventory line has no order line with the same item, or counts differ
/// - `MAT104` quantity of a line differs
/// - `MAT105` unit price or line total of a line differs
/// - `MAT106` goods value: inventory lines' total ≠ order `goodsValue`
/// - `MAT107` currency: an inventory line's currency ≠ the order's, or the receipt's ≠ the order's
/// - `MAT108` amount received: receipt `charge` ≠ order `goodsValue` + `freight`
public enum ExportDocumentMatch {
    public static func evaluate(_ inventory: ExportInventory, _ linked: LinkedExportDocuments) -> ExportMatchVerdict {
        let issues = mismatches(inventory, linked)
        if !issues.isEmpty { return .mismatched(issues) }
        return linked.missing.isEmpty ? .matched : .incomplete(missing: linked.missing)
    }

    /// Every field-level disagreement between the inventory and the documents stored.
    public static func mismatches(_ inventory: ExportInventory, _ linked: LinkedExportDocuments) -> [CrossMessageIssue] {
        let inv = inventory.head
        var issues: [CrossMessageIssue] = []
        func differ(_ code: String, _ field: String, expected: String, actual: String?, _ what: String) {
            guard let actual, !actual.isEmpty, expected != actual else { return }
            issues.append(CrossMessageIssue(code: code, field: field, expected: expected, actual: actual, message: what))
        }
        if let order = linked.order {
            let ord = order.head
            differ("MAT101", "order.ebpCode", expected: inv.ebpCode, actual: ord.ebpCode, "the order's platform code differs from the inventory's")
            differ("MAT102", "order.ebcCode", expected: inv.ebcCode, actual: ord.ebcCode, "the order's e-commerce enterprise differs from the inventory's")
            issues += lineMismatches(inventory.lines, order.lines)
            for line in inventory.lines {
                differ("MAT107", "inventory.InventoryList[\(line.gnum)].currency", expected: ord.currency, actual: line.currency,
                       "the line's currency differs from the order's")
            }
            let goods = CEBDecimal.sum(inventory.lines.map(\.totalPrice))
            if goods != ord.goodsValue {
                issues.append(CrossMessageIssue(
                    code: "MAT106", field: "inventory.totalPrice (sum)", expected: ord.goodsValue.description, actual: goods.description,
                    message: "the inventory's goods value differs from the order's goodsValue"))
            }
            if let receipt = linked.receipt {
                differ("MAT107", "receipt.currency", expected: ord.currency, actual: receipt.currency, "the receipt's currency differs from the order's")
                let due = ord.goodsValue &+ ord.freight
                if receipt.charge != due {
                    issues.append(CrossMessageIssue(
                        code: "MAT108", field: "receipt.charge", expected: due.description, actual: receipt.charge.description,
                        message: "the amount received differs from the order's goodsValue + freight"))
                }
            }
        }
        if let receipt = linked.receipt {
            differ("MAT101", "receipt.ebpCode", expected: inv.ebpCode, actual: receipt.ebpCode, "the receipt's platform code differs from the inventory's")
            differ("MAT102", "receipt.ebcCode", expected: inv.ebcCode, actual: receipt.ebcCode, "the receipt's e-commerce enterprise differs from the inventory's")
        }
        if let waybill = linked.waybill {
            differ("MAT102", "waybill.ebcCode", expected: inv.ebcCode, actual: waybill.ebcCode, "the waybill's e-commerce enterprise differs from the inventory's")
        }
        return issues
    }

    /// Lines agree by item (``GoodsLineMatch``), with codes MAT103–MAT105.
    static func lineMismatches(_ inventoryLines: [ExportInventoryLine], _ orderLines: [ExportOrderLine]) -> [CrossMessageIssue] {
        GoodsLineMatch.mismatches(
            inventoryLines.map { GoodsLine(gnum: $0.gnum, itemNo: $0.itemNo, label: $0.gname, qty: $0.qty, price: $0.price, totalPrice: $0.totalPrice) },
            orderLines.map { GoodsLine(gnum: $0.gnum, itemNo: $0.itemNo, label: $0.itemName, qty: $0.qty, price: $0.price, totalPrice: $0.totalPrice) },
            codes: .init(lines: "MAT103", quantity: "MAT104", price: "MAT105"))
    }
}
