import CEBModel

/// The documents customs links to a retail-import inventory (三单对碰): the order and payment by
/// orderNo, the waybill by logisticsNo. A `nil` document has not arrived yet.
public struct LinkedDocuments: Sendable, Hashable {
    /// The CEB311 order with the inventory's orderNo, if stored.
    public var order: Order?
    /// The CEB411 payment for the inventory's orderNo, if stored.
    public var payment: Payment?
    /// The CEB511 waybill with the inventory's logisticsNo, if stored.
    public var waybill: Logistics?

    /// Creates a set of linked documents.
    public init(order: Order? = nil, payment: Payment? = nil, waybill: Logistics? = nil) {
        self.order = order
        self.payment = payment
        self.waybill = waybill
    }

    /// The kinds still missing, in the order customs lists them.
    public var missing: [String] {
        var out: [String] = []
        if order == nil { out.append("order (CEB311)") }
        if payment == nil { out.append("payment (CEB411)") }
        if waybill == nil { out.append("waybill (CEB511)") }
        return out
    }
}

/// What the three-document match decided for one inventory.
public enum MatchVerdict: Sendable, Hashable {
    /// All three documents are in and agree with the inventory: it may go to customs.
    case matched
    /// Some documents have not arrived; the inventory waits ("awaiting documents").
    case awaiting(missing: [String])
    /// The documents are in but disagree; one issue per field.
    case mismatched([CrossMessageIssue])
}

/// The three-document match (三单对碰) customs runs on retail imports, run before forwarding:
/// order (CEB311), payment (CEB411) and waybill (CEB511) must be present and agree with the
/// inventory (CEB621).
///
/// Codes (one per kind of field disagreement):
/// - `MAT001` platform code (`ebpCode`) differs between inventory, order and payment
/// - `MAT002` logistics code differs between inventory and waybill
/// - `MAT003` paid amount: payment `amountPaid` ≠ order `acturalPaid`
/// - `MAT004` buyer ID type differs (order, payment payer, inventory)
/// - `MAT005` buyer ID number differs
/// - `MAT006` buyer name differs
/// - `MAT007` goods lines: an inventory line has no order line with the same item, or counts differ
/// - `MAT008` quantity of a line differs
/// - `MAT009` unit price or line total of a line differs
/// - `MAT010` goods value: inventory lines' total ≠ order `goodsValue`
/// - `MAT011` e-commerce enterprise (`ebcCode`) differs between inventory and order
/// - `MAT012` currency differs between inventory and order/payment
public enum ThreeDocumentMatch {
    /// Matches `inventory` against its linked documents.
    public static func evaluate(_ inventory: Inventory, _ linked: LinkedDocuments) -> MatchVerdict {
        let missing = linked.missing
        guard missing.isEmpty, let order = linked.order, let payment = linked.payment, let waybill = linked.waybill else {
            return .awaiting(missing: missing)
        }
        let issues = mismatches(inventory, order: order, payment: payment, waybill: waybill)
        return issues.isEmpty ? .matched : .mismatched(issues)
    }

    /// Every field-level disagreement between an inventory and its three documents.
    public static func mismatches(_ inventory: Inventory, order: Order, payment: Payment, waybill: Logistics) -> [CrossMessageIssue] {
        let inv = inventory.head
        let ord = order.head
        let pay = payment.head
        let way = waybill.head
        var issues: [CrossMessageIssue] = []
        func differ(_ code: String, _ field: String, expected: String, actual: String, _ what: String) {
            guard expected != actual else { return }
            issues.append(CrossMessageIssue(code: code, field: field, expected: expected, actual: actual, message: what))
        }
        // Links.
        differ("MAT001", "order.ebpCode", expected: inv.ebpCode, actual: ord.ebpCode, "the order's platform code differs from the inventory's")
        differ("MAT001", "payment.ebpCode", expected: inv.ebpCode, actual: pay.ebpCode, "the payment's platform code differs from the inventory's")
        differ("MAT011", "order.ebcCode", expected: inv.ebcCode, actual: ord.ebcCode, "the order's e-commerce enterprise differs from the inventory's")
        differ("MAT002", "waybill.logisticsCode", expected: inv.logisticsCode, actual: way.logisticsCode, "the waybill's logistics code differs from the inventory's")
        // Money.
        if pay.amountPaid != ord.acturalPaid {
            issues.append(CrossMessageIssue(
                code: "MAT003", field: "payment.amountPaid", expected: ord.acturalPaid.description,
                actual: pay.amountPaid.description, message: "the amount paid differs from the order's acturalPaid"))
        }
        differ("MAT012", "order.currency", expected: inv.currency, actual: ord.currency, "the order's currency differs from the inventory's")
        differ("MAT012", "payment.currency", expected: ord.currency, actual: pay.currency, "the payment's currency differs from the order's")
        // Buyer = payer.
        differ("MAT004", "order.buyerIdType", expected: inv.buyerIdType, actual: ord.buyerIdType, "the order's buyer ID type differs from the inventory's")
        differ("MAT004", "payment.payerIdType", expected: inv.buyerIdType, actual: pay.payerIdType, "the payer's ID type differs from the buyer's")
        differ("MAT005", "order.buyerIdNumber", expected: maskedID(inv.buyerIdNumber), actual: maskedID(ord.buyerIdNumber),
               "the order's buyer ID number differs from the inventory's")
        differ("MAT005", "payment.payerIdNumber", expected: maskedID(inv.buyerIdNumber), actual: maskedID(pay.payerIdNumber),
               "the payer's ID number differs from the buyer's")
        if inv.buyerIdNumber != ord.buyerIdNumber, maskedID(inv.buyerIdNumber) == maskedID(ord.buyerIdNumber) {
            issues.append(CrossMessageIssue(code: "MAT005", field: "order.buyerIdNumber", message: "the order's buyer ID number differs from the inventory's"))
        }
        if inv.buyerIdNumber != pay.payerIdNumber, maskedID(inv.buyerIdNumber) == maskedID(pay.payerIdNumber) {
            issues.append(CrossMessageIssue(code: "MAT005", field: "payment.payerIdNumber", message: "the payer's ID number differs from the buyer's"))
        }
        differ("MAT006", "order.buyerName", expected: inv.buyerName, actual: ord.buyerName, "the order's buyer name differs from the inventory's")
        differ("MAT006", "payment.payerName", expected: inv.buyerName, actual: pay.payerName, "the payer's name differs from the buyer's")
        issues += lineMismatches(inventory.lines, order.lines)
        let inventoryGoods = CEBDecimal.sum(inventory.lines.map(\.totalPrice))
        if inventoryGoods != ord.goodsValue {
            issues.append(CrossMessageIssue(
                code: "MAT010", field: "inventory.totalPrice (sum)", expected: ord.goodsValue.description,
                actual: inventoryGoods.description, message: "the inventory's goods value differs from the order's goodsValue"))
        }
        return issues
    }

    /// Lines agree by item (``GoodsLineMatch``), with codes MAT007–MAT009.
    static func lineMismatches(_ inventoryLines: [InventoryLine], _ orderLines: [OrderLine]) -> [CrossMessageIssue] {
        GoodsLineMatch.mismatches(
            inventoryLines.map { GoodsLine(gnum: $0.gnum, itemNo: $0.itemNo, label: $0.gname, qty: $0.qty, price: $0.price, totalPrice: $0.totalPrice) },
            orderLines.map { GoodsLine(gnum: $0.gnum, itemNo: $0.itemNo, label: $0.itemName, qty: $0.qty, price: $0.price, totalPrice: $0.totalPrice) },
            codes: .init(lines: "MAT007", quantity: "MAT008", price: "MAT009"))
    }

    /// ID numbers never appear whole in reports: `3501**********0024`.
    static func maskedID(_ id: String) -> String {
        let chars = Array(id)
        guard chars.count > 8 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(4)) + String(repeating: "*", count: chars.count - 8) + String(chars.suffix(4))
    }
}
