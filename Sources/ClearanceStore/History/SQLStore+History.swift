import CEBModel
import ClearanceRules
import Foundation

/// ``ClearanceHistory`` on the store: the import match's linked documents are rebuilt from their
/// declaration rows and lines (``SQLStore/linkedDocuments(for:)``), export ones are decoded again
/// from the raw bytes; annual totals read the declaration rows.
extension SQLStore {
    /// The raw bytes of the newest usable declaration of each lookup (kind and the condition on
    /// `d`, parameters from `$2`): the linked documents are decoded again from what was stored.
    func linkedRaws(_ lookups: [(kind: String, sql: String, params: [SQLValue])]) async throws(ClearanceHistoryError) -> [String: [UInt8]] {
        let guids: [String: String]
        do {
            guids = try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [String: String] in
                var found: [String: String] = [:]
                for lookup in lookups {
                    if let row = try s.queryOne("""
                        SELECT m.guid FROM declarations d JOIN messages m ON m.id = d.message_id
                        WHERE d.kind = $1 AND \(lookup.sql) AND d.status NOT IN ('\(DeclarationStatus.refused)', '\(DeclarationStatus.deleted)', '\(DeclarationStatus.held)')
                        ORDER BY d.id DESC LIMIT 1
                        """, [.text(lookup.kind)] + lookup.params), let guid = row.string(0) {
                        found[lookup.kind] = guid
                    }
                }
                return found
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
        // Raw bytes through the public reader (it reassembles messages stored in parts).
        var raws: [String: [UInt8]] = [:]
        for (kind, guid) in guids {
            do {
                if let message = try await message(guid: guid) { raws[kind] = message.rawBytes }
            } catch {
                throw ClearanceHistoryError(error.description)
            }
        }
        return raws
    }

    func linkedExportDocuments(for inventory: ExportInventoryHead) async throws(ClearanceHistoryError) -> LinkedExportDocuments {
        // As for imports: each document among the inventory's own parties, sent by one of them or its agent.
        let agent = inventory.agentCode
        let raws = try await linkedRaws([
            // Found by number and sender, not by the codes the match compares, so a disagreeing code shows.
            (DeclarationKind.exportOrder.rawValue, "d.order_no = $2 AND d.sender_code IN ($3, $4, $5)",
             [.text(inventory.orderNo), .text(inventory.ebpCode), .text(inventory.ebcCode), .text(agent)]),
            (DeclarationKind.exportPayment.rawValue, "d.order_no = $2 AND (d.sender_code IN ($3, $4, $5) OR d.sender_code = d.pay_code)",
             [.text(inventory.orderNo), .text(inventory.ebcCode), .text(inventory.ebpCode), .text(agent)]),
            (DeclarationKind.exportLogistics.rawValue, "d.logistics_no = $2 AND d.logistics_code = $3 AND d.sender_code IN ($3, $4)",
             [.text(inventory.logisticsNo), .text(inventory.logisticsCode), .text(agent)]),
        ])
        var linked = LinkedExportDocuments()
        for document in raws[DeclarationKind.exportOrder.rawValue].map(WholeMessage.documents(of:)) ?? [] {
            if case .exportOrder(let order) = document, order.head.orderNo == inventory.orderNo { linked.order = order }
        }
        for document in raws[DeclarationKind.exportPayment.rawValue].map(WholeMessage.documents(of:)) ?? [] {
            if case .paymentReceipt(let receipt) = document, receipt.orderNo == inventory.orderNo { linked.receipt = receipt }
        }
        for document in raws[DeclarationKind.exportLogistics.rawValue].map(WholeMessage.documents(of:)) ?? [] {
            if case .exportLogistics(let waybill) = document, waybill.logisticsNo == inventory.logisticsNo { linked.waybill = waybill }
        }
        return linked
    }

    /// Statuses that count as in flight: declared to customs and not yet released, returned or
    /// cancelled (e-port and customs stages, inspection, detention). Unknown codes do not count.
    static let inFlightStatuses = [DeclarationStatus.declared.rawValue, "1", "2", "3", "120", "300", "399", "500", "501", "502", "503", "599"]

    func annualTotal(
        buyerIdType: String, buyerIdNumber: String, year: Int, excludingDeclarationGuid: String?
    ) async throws(ClearanceHistoryError) -> BuyerAnnualTotal {
        guard let masker = masker.get() else { throw ClearanceHistoryError("the store is not migrated") }
        let hash = masker.hash(idNumber: buyerIdNumber)
        let (start, end) = Self.chinaYearBounds(year)
        let counted = ["800", "899"] + Self.inFlightStatuses
        let placeholders = counted.indices.map { "$\($0 + 6)" }.joined(separator: ", ")
        let rows: [(key: String, id: Int64, value: Int64, cleared: Bool)]
        do {
            rows = try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(key: String, id: Int64, value: Int64, cleared: Bool)] in
                try s.query("""
                    SELECT COALESCE(cop_no, invt_no, declaration_guid), id, goods_value, freight, status FROM declarations
                    WHERE kind = 'inventory' AND buyer_id_type = $1 AND buyer_id_hash = $2
                      AND app_time >= $3 AND app_time < $4 AND declaration_guid <> $5 AND status IN (\(placeholders))
                    """, [.text(buyerIdType), .text(hash), .integer(start), .integer(end), .text(excludingDeclarationGuid ?? "")]
                        + counted.map { .text($0) }
                ).map { (row: SQLRow) throws(StoreError) in
                    let value = (row.decimal(2)?.scaled ?? 0) + (row.decimal(3)?.scaled ?? 0)
                    let status = row.string(4) ?? ""
                    return (try row.requireString(0, "key"), try row.requireInt64(1, "id"), value, status == "800" || status == "899")
                }
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
        // Revisions of one inventory (modify) are separate rows: count the newest of each.
        var newest: [String: (id: Int64, value: Int64, cleared: Bool)] = [:]
        for row in rows where (newest[row.key]?.id ?? -1) < row.id { newest[row.key] = (row.id, row.value, row.cleared) }
        let cleared = newest.values.filter(\.cleared).reduce(0) { $0 + $1.value }
        let inFlight = newest.values.filter { !$0.cleared }.reduce(0) { $0 + $1.value }
        return BuyerAnnualTotal(cleared: CEBDecimal(units: cleared), inFlight: CEBDecimal(units: inFlight))
    }

    /// The phase of the newest declaration (or revision) of `kind` with this business key.
    ///
    /// A business key is always the value of one of the indexed columns in the first condition
    /// (see `DeclarationRecord.businessKey`), so that condition narrows by index; the second keeps
    /// the exact meaning (the key itself, or a revision `key|appType|guid`).
    func declarationPhase(kind: String, businessKey: String, senderCode: String) async throws(ClearanceHistoryError) -> (phase: DeclarationPhase, declarationGuid: String?) {
        do {
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> (phase: DeclarationPhase, declarationGuid: String?) in
                // The key columns' own indexes must find the rows. `kind || ''` keeps the planner
                // from narrowing by the (kind, …) unique index instead — every declaration of that
                // kind, per message, on a table without statistics yet — and `OFFSET 0` from walking
                // the primary key backwards for `ORDER BY id DESC LIMIT 1` past every row when the
                // key is new (the usual case).
                guard let row = try s.queryOne("""
                    SELECT status, declaration_guid FROM (
                        SELECT id, status, declaration_guid FROM declarations
                        WHERE (cop_no = $2 OR order_no = $2 OR logistics_no = $2 OR invt_no = $2
                               OR pay_transaction_id = $2 OR bill_no = $2 OR declaration_guid = $2)
                          AND (kind || '') = $1 AND sender_code = $5
                          AND (dedup_key = $2 OR cop_no = $2 OR substr(dedup_key, 1, $4) = $3)
                        \(s.dialect.planningFence)
                    ) found
                    ORDER BY id DESC LIMIT 1
                    """, [.text(kind), .text(businessKey), .text(businessKey + "|"), .integer(Int64(businessKey.count + 1)), .text(senderCode)])
                else { return (.none, nil) }
                return (DeclarationPhase(status: row.string(0) ?? ""), row.string(1))
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
    }
}

extension SQLStore {
    /// Unix milliseconds of 1 January `year` and of the next 1 January, China Standard Time (UTC+8).
    static func chinaYearBounds(_ year: Int) -> (Int64, Int64) {
        let bounds = ChinaTime.yearBounds(year)
        return (StoreClock.milliseconds(bounds.start), StoreClock.milliseconds(bounds.end))
    }
}
