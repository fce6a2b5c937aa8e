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
        try await linkedDocuments(for: [inventory])[0]
    }

    /// Keys per look-up (bound parameters stay far below both engines' limits).
    static let lookupChunk = 500

    /// One query for a chunk of inventories (orders and payments by orderNo, waybills by logisticsNo), then, for each
    /// inventory, the newest row among its own parties (see ``ClearanceHistory/linkedDocuments(for:)``):
    /// a document counts only when sent by one of its own parties or the inventory's agent; anyone
    /// may name a platform in an order, only the platform's side may send it.
    func linkedDocuments(for inventories: [InventoryHead]) async throws(ClearanceHistoryError) -> [LinkedDocuments] {
        guard let masker = masker.get() else { throw ClearanceHistoryError("the store is not migrated") }
        let hashes = inventories.map { masker.hash(idNumber: $0.buyerIdNumber) }
        do {
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [LinkedDocuments] in
                var linked: [LinkedDocuments] = []
                for first in stride(from: 0, to: inventories.count, by: Self.lookupChunk) {
                    let heads = inventories[first..<min(first + Self.lookupChunk, inventories.count)]
                    let orderNos = Array(Set(heads.map(\.orderNo)))
                    let rows = try Self.linkedRows(s, orderKinds: [.order, .payment], orderNos: orderNos,
                                                   waybillKind: .logistics, logisticsNos: Array(Set(heads.map(\.logisticsNo))))
                    let (orders, payments, waybills) = (rows[.order], rows[.payment], rows[.logistics])
                    var found: [(order: SQLRow?, payment: SQLRow?, waybill: SQLRow?)] = []
                    for inv in heads {
                        let agent = inv.agentCode
                        found.append((
                            order: Self.newest(orders?[inv.orderNo]) {
                                $0.string(2) == inv.ebpCode && $0.string(3) == inv.ebcCode && [inv.ebpCode, inv.ebcCode, agent].contains($0.string(18))
                            },
                            payment: Self.newest(payments?[inv.orderNo]) {
                                $0.string(2) == inv.ebpCode && ($0.string(18) == $0.string(6) || $0.string(18) == agent)
                            },
                            waybill: Self.newest(waybills?[inv.logisticsNo]) {
                                $0.string(5) == inv.logisticsCode && [inv.logisticsCode, agent].contains($0.string(18))
                            }))
                    }
                    let lines = try Self.storedLines(s, of: found.compactMap { $0.order?.int64(0) })
                    for (offset, (inv, rows)) in zip(heads, found).enumerated() {
                        /// The inventory's number when the stored hash is its hash; otherwise the stored masked form.
                        let hash = hashes[first + offset]
                        func idNumber(_ row: SQLRow) -> String { row.string(9) == hash ? inv.buyerIdNumber : (row.string(10) ?? "") }
                        linked.append(LinkedDocuments(
                            order: rows.order.map { Self.order($0, lines: lines[$0.int64(0) ?? -1] ?? [], idNumber: idNumber($0)) },
                            payment: rows.payment.map { Self.payment($0, idNumber: idNumber($0)) },
                            waybill: rows.waybill.map(Self.waybill)))
                    }
                }
                return linked
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
    }

    /// The usable documents an inventory's match links: those of `orderKinds` (order, payment) whose
    /// order number is one of `orderNos`, and those of `waybillKind` whose logistics number is one
    /// of `logisticsNos`, by kind and number, in one statement (every inventory's match asks it;
    /// three statements until 7 Dec). The numbers are found in `linked_numbers` (migration 82), then
    /// each declaration by id, in the one partition its id names: by number in `declarations`
    /// the look-up probed the number's index in every partition (`FlatLookupTests`).
    static func linkedRows(
        _ s: any SQLSession, orderKinds: [DeclarationKind], orderNos: [String], waybillKind: DeclarationKind, logisticsNos: [String]
    ) throws(StoreError) -> [DeclarationKind: [String: [SQLRow]]] {
        var branches: [String] = []
        var params: [SQLValue] = []
        for (kinds, keys) in [(orderKinds, orderNos), ([waybillKind], logisticsNos)]
        where !kinds.isEmpty && !keys.isEmpty {
            let kindList = placeholders(kinds.count, from: params.count + 1)
            params += kinds.map { .text($0.rawValue) }
            let keyList = placeholders(keys.count, from: params.count + 1)
            params += keys.map { .text($0) }
            branches.append("""
                SELECT \(linkedColumns), d.kind FROM linked_numbers n JOIN declarations d ON d.id = n.declaration_id
                WHERE n.kind IN (\(kindList)) AND n.number IN (\(keyList))
                AND d.status NOT IN ('\(DeclarationStatus.refused)', '\(DeclarationStatus.deleted)', '\(DeclarationStatus.held)')
                """)
        }
        guard !branches.isEmpty else { return [:] }
        var found: [DeclarationKind: [String: [SQLRow]]] = [:]
        for row in try s.lookup(branches.joined(separator: "\nUNION ALL\n"), params) {
            guard let kind = row.string(19).flatMap(DeclarationKind.init(rawValue:)) else { continue }
            found[kind, default: [:]][(kind == waybillKind ? row.string(4) : row.string(1)) ?? "", default: []].append(row)
        }
        return found
    }

    /// The row with the highest id among `rows` that satisfies `condition`.
    static func newest(_ rows: [SQLRow]?, where condition: (SQLRow) -> Bool) -> SQLRow? {
        (rows ?? []).filter(condition).max { ($0.int64(0) ?? 0) < ($1.int64(0) ?? 0) }
    }

    static func order(_ row: SQLRow, lines: [StoredLine], idNumber: String) -> Order {
        let text = { (i: Int) in row.string(i) ?? "" }
        let money = { (i: Int) in CEBDecimal(units: row.decimal(i)?.scaled ?? 0) }
        return Order(head: OrderHead(
            orderNo: text(1), ebpCode: text(2), ebcCode: text(3), goodsValue: money(12), freight: money(13),
            taxTotal: money(14), acturalPaid: money(15), currency: text(16), buyerName: text(11), buyerIdType: text(8),
            buyerIdNumber: idNumber, payCode: row.string(6), payTransactionId: row.string(7)),
            lines: lines.map {
                OrderLine(gnum: $0.gnum, itemNo: $0.itemNo, itemName: $0.itemName, unit: $0.unit, qty: $0.qty, price: $0.price,
                          totalPrice: $0.totalPrice, currency: $0.currency, country: $0.country)
            })
    }

    static func payment(_ row: SQLRow, idNumber: String) -> Payment {
        let text = { (i: Int) in row.string(i) ?? "" }
        return Payment(head: PaymentHead(
            payCode: text(6), payTransactionId: text(7), orderNo: text(1), ebpCode: text(2), payerIdType: text(8),
            payerIdNumber: idNumber, payerName: text(11), amountPaid: CEBDecimal(units: row.decimal(15)?.scaled ?? 0), currency: text(16)))
    }

    static func waybill(_ row: SQLRow) -> Logistics {
        let text = { (i: Int) in row.string(i) ?? "" }
        return Logistics(head: LogisticsHead(
            logisticsCode: text(5), logisticsNo: text(4), billNo: row.string(17), orderNo: text(1),
            freight: row.decimal(13).map { CEBDecimal(units: $0.scaled) }, currency: text(16)))
    }

    func linkedExportDocuments(for inventory: ExportInventoryHead) async throws(ClearanceHistoryError) -> LinkedExportDocuments {
        // As for imports: each document among the inventory's own parties, sent by one of them or its agent;
        // found by number and sender, not by the codes the match compares, so a disagreeing code shows.
        let inv = inventory, agent = inventory.agentCode
        do {
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> LinkedExportDocuments in
                var linked = LinkedExportDocuments()
                let rows = try Self.linkedRows(s, orderKinds: [.exportOrder, .exportPayment], orderNos: [inv.orderNo],
                                               waybillKind: .exportLogistics, logisticsNos: [inv.logisticsNo])
                let text = { (row: SQLRow, i: Int) in row.string(i) ?? "" }
                let money = { (row: SQLRow, i: Int) in CEBDecimal(units: row.decimal(i)?.scaled ?? 0) }
                if let row = Self.newest(rows[.exportOrder]?[inv.orderNo], where: {
                    [inv.ebpCode, inv.ebcCode, agent].contains($0.string(18))
                }) {
                    let lines = (try Self.storedLines(s, of: [try row.requireInt64(0, "id")]).values.first ?? []).map {
                        ExportOrderLine(gnum: $0.gnum, itemNo: $0.itemNo ?? "", itemName: $0.itemName, unit: $0.unit, currency: $0.currency,
                                        qty: $0.qty, price: $0.price, totalPrice: $0.totalPrice)
                    }
                    linked.order = ExportOrder(head: ExportOrderHead(
                        orderNo: text(row, 1), ebpCode: text(row, 2), ebcCode: text(row, 3), goodsValue: money(row, 12),
                        freight: money(row, 13), currency: text(row, 16)), lines: lines)
                }
                if let row = Self.newest(rows[.exportPayment]?[inv.orderNo], where: {
                    [inv.ebcCode, inv.ebpCode, agent].contains($0.string(18)) || $0.string(18) == $0.string(6)
                }) {
                    linked.receipt = PaymentReceipt(
                        ebpCode: text(row, 2), ebcCode: text(row, 3), orderNo: text(row, 1), payCode: row.string(6), payNo: row.string(7),
                        charge: money(row, 15), currency: text(row, 16))
                }
                if let row = Self.newest(rows[.exportLogistics]?[inv.logisticsNo], where: {
                    $0.string(5) == inv.logisticsCode && [inv.logisticsCode, agent].contains($0.string(18))
                }) {
                    linked.waybill = ExportLogistics(
                        logisticsCode: text(row, 5), logisticsNo: text(row, 4), freight: money(row, 13), currency: text(row, 16),
                        ebcCode: row.string(3))
                }
                return linked
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
    }

    /// The columns the rebuilt documents read, by position (18: the sender).
    static let linkedColumns = """
        d.id, d.order_no, d.ebp_code, d.ebc_code, d.logistics_no, d.logistics_code, d.pay_code, d.pay_transaction_id,
        d.buyer_id_type, d.buyer_id_hash, d.buyer_id_masked, d.buyer_name, d.goods_value, d.freight, d.tax_total,
        d.actural_paid, d.currency, d.bill_no, d.sender_code
        """

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

    /// The goods lines stored for the declarations `ids`, each in `gnum` order. A key look-up (their
    /// primary key's first column): every release reads its order's lines, and as a custom plan it
    /// was planned on every call (84 µs, four times its run) and switched the session's plans back
    /// and forth between the release's other look-ups (two `SET` round trips a release).
    static func storedLines(_ s: any SQLSession, of ids: [Int64]) throws(StoreError) -> [Int64: [StoredLine]] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = ids.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        var lines: [Int64: [StoredLine]] = [:]
        for line in try s.lookup("""
            SELECT declaration_id, gnum, item_no, item_name, unit, qty, price, total_price, currency, country
            FROM declaration_lines WHERE declaration_id IN (\(placeholders)) ORDER BY declaration_id, gnum
            """, ids.map { .integer($0) }) {
            lines[line.int64(0) ?? -1, default: []].append(StoredLine(
                gnum: Int(line.int64(1) ?? 0), itemNo: line.string(2), itemName: line.string(3) ?? "", unit: line.string(4) ?? "",
                qty: CEBDecimal(units: line.decimal(5)?.scaled ?? 0), price: CEBDecimal(units: line.decimal(6)?.scaled ?? 0),
                totalPrice: CEBDecimal(units: line.decimal(7)?.scaled ?? 0), currency: line.string(8) ?? "", country: line.string(9) ?? ""))
        }
        return lines
    }
}
