import CEBModel
import ClearanceRules

/// The documents a retail-import inventory is matched against (三单对碰), rebuilt from the facts
/// stored when each was declared — its declaration row and goods lines — never from the raw
/// message. An order that came in a batch of 100,000 would otherwise be read back and decoded
/// whole for every inventory that names it (measured: 27 inventories/s against 1,000-order
/// batches, quadratic in the batch size).
///
/// The rows hold every field the match compares (codes, amounts, currency, buyer name and ID
/// type, lines) except the buyer's ID number, kept only as a salted hash: the rebuilt order and
/// payment carry the inventory's own number when the hashes agree, and the masked stored number
/// when they do not, so the match sees equal numbers exactly when they are equal and reports a
/// difference without the number.
extension SQLStore {
    func linkedDocuments(for inventory: InventoryHead) async throws(ClearanceHistoryError) -> LinkedDocuments {
        guard let masker = masker.get() else { throw ClearanceHistoryError("the store is not migrated") }
        let orderNo = inventory.orderNo
        let logisticsNo = inventory.logisticsNo
        // Each document among its own parties only (see ``ClearanceHistory/linkedDocuments(for:)``):
        // a document counts only when sent by one of its own parties (or the inventory's agent);
        // anyone may name a platform in an order, only the platform's side may send it.
        let agent = inventory.agentCode
        let lookups: [(kind: DeclarationKind, sql: String, params: [SQLValue])] = [
            (.order, "d.order_no = $2 AND d.ebp_code = $3 AND d.ebc_code = $4 AND d.sender_code IN ($3, $4, $5)",
             [.text(orderNo), .text(inventory.ebpCode), .text(inventory.ebcCode), .text(agent)]),
            (.payment, "d.order_no = $2 AND d.ebp_code = $3 AND (d.sender_code = d.pay_code OR d.sender_code = $4)",
             [.text(orderNo), .text(inventory.ebpCode), .text(agent)]),
            (.logistics, "d.logistics_no = $2 AND d.logistics_code = $3 AND d.sender_code IN ($3, $4)",
             [.text(logisticsNo), .text(inventory.logisticsCode), .text(agent)]),
        ]
        let buyerHash = masker.hash(idNumber: inventory.buyerIdNumber)
        /// The inventory's number when the stored hash is its hash; otherwise the stored masked form.
        @Sendable func idNumber(hash: String?, masked: String?) -> String {
            hash == buyerHash ? inventory.buyerIdNumber : (masked ?? "")
        }
        do {
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> LinkedDocuments in
                var linked = LinkedDocuments()
                for lookup in lookups {
                    guard let row = try Self.newestUsable(s, lookup.kind, lookup.sql, lookup.params) else { continue }
                    let text = { (i: Int) in row.string(i) ?? "" }
                    let money = { (i: Int) in CEBDecimal(units: row.decimal(i)?.scaled ?? 0) }
                    switch lookup.kind {
                    case .order:
                        let lines = try Self.storedLines(s, of: row).map {
                            OrderLine(gnum: $0.gnum, itemNo: $0.itemNo, itemName: $0.itemName, unit: $0.unit, qty: $0.qty, price: $0.price,
                                      totalPrice: $0.totalPrice, currency: $0.currency, country: $0.country)
                        }
                        linked.order = Order(head: OrderHead(
                            orderNo: text(1), ebpCode: text(2), ebcCode: text(3), goodsValue: money(12), freight: money(13),
                            taxTotal: money(14), acturalPaid: money(15), currency: text(16), buyerName: text(11), buyerIdType: text(8),
                            buyerIdNumber: idNumber(hash: row.string(9), masked: row.string(10)), payCode: row.string(6),
                            payTransactionId: row.string(7)), lines: lines)
                    case .payment:
                        linked.payment = Payment(head: PaymentHead(
                            payCode: text(6), payTransactionId: text(7), orderNo: text(1), ebpCode: text(2), payerIdType: text(8),
                            payerIdNumber: idNumber(hash: row.string(9), masked: row.string(10)), payerName: text(11),
                            amountPaid: money(15), currency: text(16)))
                    default:
                        linked.waybill = Logistics(head: LogisticsHead(
                            logisticsCode: text(5), logisticsNo: text(4), billNo: row.string(17), orderNo: text(1),
                            freight: row.decimal(13).map { CEBDecimal(units: $0.scaled) }, currency: text(16)))
                    }
                }
                return linked
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
    }

    func linkedExportDocuments(for inventory: ExportInventoryHead) async throws(ClearanceHistoryError) -> LinkedExportDocuments {
        // As for imports: each document among the inventory's own parties, sent by one of them or its agent;
        // found by number and sender, not by the codes the match compares, so a disagreeing code shows.
        let agent = inventory.agentCode
        let lookups: [(kind: DeclarationKind, sql: String, params: [SQLValue])] = [
            (.exportOrder, "d.order_no = $2 AND d.sender_code IN ($3, $4, $5)",
             [.text(inventory.orderNo), .text(inventory.ebpCode), .text(inventory.ebcCode), .text(agent)]),
            (.exportPayment, "d.order_no = $2 AND (d.sender_code IN ($3, $4, $5) OR d.sender_code = d.pay_code)",
             [.text(inventory.orderNo), .text(inventory.ebcCode), .text(inventory.ebpCode), .text(agent)]),
            (.exportLogistics, "d.logistics_no = $2 AND d.logistics_code = $3 AND d.sender_code IN ($3, $4)",
             [.text(inventory.logisticsNo), .text(inventory.logisticsCode), .text(agent)]),
        ]
        do {
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> LinkedExportDocuments in
                var linked = LinkedExportDocuments()
                for lookup in lookups {
                    guard let row = try Self.newestUsable(s, lookup.kind, lookup.sql, lookup.params) else { continue }
                    let text = { (i: Int) in row.string(i) ?? "" }
                    let money = { (i: Int) in CEBDecimal(units: row.decimal(i)?.scaled ?? 0) }
                    switch lookup.kind {
                    case .exportOrder:
                        let lines = try Self.storedLines(s, of: row).map {
                            ExportOrderLine(gnum: $0.gnum, itemNo: $0.itemNo ?? "", itemName: $0.itemName, unit: $0.unit, currency: $0.currency,
                                            qty: $0.qty, price: $0.price, totalPrice: $0.totalPrice)
                        }
                        linked.order = ExportOrder(head: ExportOrderHead(
                            orderNo: text(1), ebpCode: text(2), ebcCode: text(3), goodsValue: money(12), freight: money(13),
                            currency: text(16)), lines: lines)
                    case .exportPayment:
                        linked.receipt = PaymentReceipt(
                            ebpCode: text(2), ebcCode: text(3), orderNo: text(1), payCode: row.string(6), payNo: row.string(7),
                            charge: money(15), currency: text(16))
                    default:
                        linked.waybill = ExportLogistics(
                            logisticsCode: text(5), logisticsNo: text(4), freight: money(13), currency: text(16), ebcCode: row.string(3))
                    }
                }
                return linked
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
    }

    /// The newest declaration of `kind` matching `condition` (on `d`, parameters from `$2`) that
    /// still counts (not refused, deleted or held): the columns the rebuilt documents read, by position.
    static func newestUsable(_ s: any SQLSession, _ kind: DeclarationKind, _ condition: String, _ params: [SQLValue]) throws(StoreError) -> SQLRow? {
        try s.queryOne("""
            SELECT d.id, d.order_no, d.ebp_code, d.ebc_code, d.logistics_no, d.logistics_code, d.pay_code,
                   d.pay_transaction_id, d.buyer_id_type, d.buyer_id_hash, d.buyer_id_masked, d.buyer_name,
                   d.goods_value, d.freight, d.tax_total, d.actural_paid, d.currency, d.bill_no
            FROM declarations d
            WHERE d.kind = $1 AND \(condition) AND d.status NOT IN ('\(DeclarationStatus.refused)', '\(DeclarationStatus.deleted)', '\(DeclarationStatus.held)')
            ORDER BY d.id DESC LIMIT 1
            """, [.text(kind.rawValue)] + params)
    }

    /// A stored goods line as the matches read it.
    struct StoredLine {
        var gnum: Int
        var itemNo: String?
        var itemName: String
        var unit: String
        var qty: CEBDecimal
        var price: CEBDecimal
        var totalPrice: CEBDecimal
        var currency: String
        var country: String
    }

    /// The goods lines stored for the declaration `row` (from ``newestUsable(_:_:_:_:)``), in `gnum` order.
    static func storedLines(_ s: any SQLSession, of row: SQLRow) throws(StoreError) -> [StoredLine] {
        try s.query("""
            SELECT gnum, item_no, item_name, unit, qty, price, total_price, currency, country
            FROM declaration_lines WHERE declaration_id = $1 ORDER BY gnum
            """, [.integer(try row.requireInt64(0, "id"))]).map { (line: SQLRow) in
            StoredLine(
                gnum: Int(line.int64(0) ?? 0), itemNo: line.string(1), itemName: line.string(2) ?? "", unit: line.string(3) ?? "",
                qty: CEBDecimal(units: line.decimal(4)?.scaled ?? 0), price: CEBDecimal(units: line.decimal(5)?.scaled ?? 0),
                totalPrice: CEBDecimal(units: line.decimal(6)?.scaled ?? 0), currency: line.string(7) ?? "", country: line.string(8) ?? "")
        }
    }
}
