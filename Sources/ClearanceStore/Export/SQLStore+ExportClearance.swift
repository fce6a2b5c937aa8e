import Foundation

/// What customs' answers on the export documents after release do to the export inventories they
/// cover (清单核放、汇总申报): an accepted arrival (CEB508) or departure (CEB510) moves the inventories
/// of the parcels listed to `arrived` / `departed`; an approved cancellation (CEB606) cancels the
/// inventory; a summary application receipt (CEB702) records customs' `sumNo`, or, when customs
/// returns the application, lets its inventories be summarised again; a summary result (CEB792)
/// writes the declaration number and state on each inventory it lists and makes it `summarized`.
/// All in the receipt's transaction, only ever forward in the customs order (``CustomsProgress``).
extension SQLStore {
    static func exportClearanceEffects(_ s: any SQLSession, declarationId: Int64, receipt r: ReceiptRecord, receiptId: Int64,
                                       occurredAt: Int64, now: Int64) throws(StoreError) {
        let progress = CustomsProgress(status: r.returnStatus)
        let accepted = progress.rank >= 2 && !["100", "700"].contains(r.returnStatus)
        switch r.forKind {
        case .arrival where accepted:
            try moveParcels(s, notice: declarationId, to: .arrived, event: .exportArrived, receiptId: receiptId, occurredAt: occurredAt, now: now)
        case .departure where accepted:
            try moveParcels(s, notice: declarationId, to: .departed, event: .exportDeparted, receiptId: receiptId, occurredAt: occurredAt, now: now)
        case .warehouseEntry where accepted:
            try markWarehouseEntry(s, list: declarationId, receiptId: receiptId, occurredAt: occurredAt, now: now)
        case .exportInventoryCancel where ["800", "899"].contains(r.returnStatus):
            try cancelExportInventory(s, cancel: declarationId)
        case .summaryApplication:
            try answerSummaryApplication(s, application: declarationId, receipt: r, receiptId: receiptId, occurredAt: occurredAt, now: now)
        case .summaryResult:
            if let facts = r.summaryResult {
                try applySummaryResult(s, facts, receiptId: receiptId, occurredAt: occurredAt, now: now)
            }
        default:
            return
        }
    }

    /// The export inventories of the parcels a notice lists (its lines' `itemNo` hold logisticsNos,
    /// of the notice's logistics company) move to `target` when that is forward for them.
    private static func moveParcels(_ s: any SQLSession, notice: Int64, to target: DeclarationStatus, event: EventKind,
                                    receiptId: Int64, occurredAt: Int64, now: Int64) throws(StoreError) {
        let logisticsCode = try s.queryOne("SELECT logistics_code FROM declarations WHERE id = $1", [.integer(notice)])?.string(0)
        let parcels = try s.query("SELECT item_no FROM declaration_lines WHERE declaration_id = $1 ORDER BY gnum", [.integer(notice)])
            .compactMap { $0.string(0) }
        for logisticsNo in parcels {
            for row in try s.query("""
                SELECT id, status FROM declarations
                WHERE logistics_no = $1 AND (kind || '') = $2 AND (CAST($3 AS TEXT) IS NULL OR COALESCE(logistics_code, '') = $3)
                """, [.text(logisticsNo), .text(DeclarationKind.exportInventory.rawValue), .optional(logisticsCode)]) {
                guard let id = row.int64(0), let current = row.string(1),
                      CustomsProgress.moves(from: current, to: target.rawValue, newerExists: false),
                      CustomsProgress(status: current) < CustomsProgress(status: target.rawValue) else { continue }
                try s.execute("UPDATE declarations SET status = $1 WHERE id = $2", [.text(target.rawValue), .integer(id)])
                _ = try insertEvent(s, kind: event, occurredAt: occurredAt, messageId: nil, declarationId: id, receiptId: receiptId,
                                    code: nil, detail: "parcel \(logisticsNo)", dedupKey: "\(event.rawValue):\(id)", now: now)
            }
        }
    }

    /// The import waybills (CEB511) of the parcels an accepted warehouse entry list names, of its
    /// logistics company, get a `warehouse-entered` event naming the list; their status is customs'
    /// answer to the waybill itself and does not move.
    private static func markWarehouseEntry(_ s: any SQLSession, list: Int64, receiptId: Int64, occurredAt: Int64, now: Int64) throws(StoreError) {
        let head = try s.queryOne("SELECT logistics_code, cop_no FROM declarations WHERE id = $1", [.integer(list)])
        let parcels = try s.query("SELECT item_no FROM declaration_lines WHERE declaration_id = $1 ORDER BY gnum", [.integer(list)])
            .compactMap { $0.string(0) }
        for logisticsNo in parcels {
            for row in try s.query("""
                SELECT id FROM declarations
                WHERE logistics_no = $1 AND (kind || '') = $2 AND (CAST($3 AS TEXT) IS NULL OR COALESCE(logistics_code, '') = $3)
                """, [.text(logisticsNo), .text(DeclarationKind.logistics.rawValue), .optional(head?.string(0))]) {
                guard let id = row.int64(0) else { continue }
                _ = try insertEvent(s, kind: .warehouseEntered, occurredAt: occurredAt, messageId: nil, declarationId: id, receiptId: receiptId,
                                    code: nil, detail: "warehouse entry list \(head?.string(1) ?? "?"), parcel \(logisticsNo)",
                                    dedupKey: "warehouse-entered:\(id):\(list)", now: now)
            }
        }
    }

    /// An approved CEB605 cancels the export inventory it names (by invtNo, the inventory's own or
    /// the one customs gave it in a CEB604, or by copNo), of the same e-commerce enterprise and agent.
    private static func cancelExportInventory(_ s: any SQLSession, cancel: Int64) throws(StoreError) {
        guard let request = try s.queryOne(
            "SELECT invt_no, cop_no, ebc_code, agent_code FROM declarations WHERE id = $1", [.integer(cancel)]) else { return }
        try s.execute("""
            UPDATE declarations SET status = $1
            WHERE id = (
                SELECT id FROM declarations
                WHERE kind = $6 AND ((invt_no IS NOT NULL AND invt_no = $2) OR (cop_no IS NOT NULL AND cop_no = $3)
                    OR id IN (SELECT declaration_id FROM receipts WHERE invt_no = $2 AND for_kind = $6 AND declaration_id IS NOT NULL))
                  AND (CAST($4 AS TEXT) IS NULL OR COALESCE(ebc_code, '') = $4)
                  AND (CAST($5 AS TEXT) IS NULL OR COALESCE(agent_code, '') = $5)
                  AND status NOT IN ('summarising', 'summarized')
                ORDER BY id DESC LIMIT 1)
            """, [.text(DeclarationStatus.cancelled.rawValue), .optional(request.string(0)), .optional(request.string(1)),
                  .optional(request.string(2)), .optional(request.string(3)), .text(DeclarationKind.exportInventory.rawValue)])
    }

    /// CEB702: customs' `sumNo` goes on the application's inventories; a returned application
    /// (100) gives its inventories back (cleared, not summarised) so a corrected run takes them again.
    private static func answerSummaryApplication(_ s: any SQLSession, application: Int64, receipt r: ReceiptRecord,
                                                 receiptId: Int64, occurredAt: Int64, now: Int64) throws(StoreError) {
        guard let copNo = try s.queryOne("SELECT cop_no FROM declarations WHERE id = $1", [.integer(application)])?.string(0) else { return }
        if r.returnStatus == "100" {
            let inventories = try s.query("SELECT inventory_id FROM export_summaries WHERE cop_no = $1 AND entry_id IS NULL", [.text(copNo)])
                .compactMap { $0.int64(0) }
            for id in inventories {
                try s.execute("UPDATE declarations SET status = $1 WHERE id = $2 AND status = $3",
                              [.text(DeclarationStatus.cleared.rawValue), .integer(id), .text(DeclarationStatus.summarising.rawValue)])
                _ = try insertEvent(s, kind: .summaryReturned, occurredAt: occurredAt, messageId: nil, declarationId: id,
                                    receiptId: receiptId, code: r.returnStatus, detail: r.returnInfo, dedupKey: nil, now: now)
            }
            try s.execute("DELETE FROM export_summaries WHERE cop_no = $1 AND entry_id IS NULL", [.text(copNo)])
        }
    }

    /// CEB792: each listed inventory of the enterprise (by invtNo, its own or the one customs gave
    /// it in a CEB604) gets the declaration's numbers and state, and is `summarized` once customs
    /// gives the declaration its `entryId`.
    private static func applySummaryResult(_ s: any SQLSession, _ facts: SummaryResultFacts, receiptId: Int64,
                                           occurredAt: Int64, now: Int64) throws(StoreError) {
        for invtNo in facts.invtNos {
            guard let id = try exportInventory(s, invtNo: invtNo, ebcCode: facts.ebcCode) else { continue }
            try s.execute("""
                UPDATE export_summaries SET sum_no = $1, decl_seq_no = $2, entry_id = COALESCE($3, entry_id), dec_state = $4, updated_at = $5
                WHERE inventory_id = $6
                """, [.text(facts.sumNo), .text(facts.declSeqNo), .optional(facts.entryId), .text(facts.decState), .integer(now), .integer(id)])
            guard let entryId = facts.entryId else { continue }
            let moved = try s.execute("UPDATE declarations SET status = $1 WHERE id = $2 AND status IN ($3, $4)", [
                .text(DeclarationStatus.summarized.rawValue), .integer(id),
                .text(DeclarationStatus.summarising.rawValue), .text(DeclarationStatus.cleared.rawValue)])
            if moved > 0 {
                _ = try insertEvent(s, kind: .summarized, occurredAt: occurredAt, messageId: nil, declarationId: id, receiptId: receiptId,
                                    code: facts.decState, detail: "declaration \(entryId) (sumNo \(facts.sumNo))",
                                    dedupKey: "summarized:\(id)", now: now)
            }
        }
    }

    /// The export inventory of `ebcCode` with this invtNo: its own, or the one customs gave it in a receipt.
    static func exportInventory(_ s: any SQLSession, invtNo: String, ebcCode: String?) throws(StoreError) -> Int64? {
        try s.queryOne("""
            SELECT id FROM declarations
            WHERE kind = $1 AND (invt_no = $2
                OR id IN (SELECT declaration_id FROM receipts WHERE invt_no = $2 AND for_kind = $1 AND declaration_id IS NOT NULL))
              AND (CAST($3 AS TEXT) IS NULL OR COALESCE(ebc_code, '') = $3)
            ORDER BY id DESC LIMIT 1
            """, [.text(DeclarationKind.exportInventory.rawValue), .text(invtNo), .optional(ebcCode)])?.int64(0)
    }

    /// The summary application a CEB792 answers: the one its first listed inventory of the
    /// enterprise was summarised in (newest part), when that application was routed to the
    /// result's authority.
    static func summaryApplication(_ s: any SQLSession, for r: ReceiptRecord) throws(StoreError) -> Int64? {
        guard let facts = r.summaryResult else { return nil }
        for invtNo in facts.invtNos {
            guard let inventory = try exportInventory(s, invtNo: invtNo, ebcCode: facts.ebcCode),
                  let copNo = try s.queryOne("SELECT cop_no FROM export_summaries WHERE inventory_id = $1", [.integer(inventory)])?.string(0),
                  let application = try s.queryOne(
                    "SELECT id FROM declarations WHERE kind = $1 AND cop_no = $2 ORDER BY id DESC LIMIT 1",
                    [.text(DeclarationKind.summaryApplication.rawValue), .text(copNo)])?.int64(0)
            else { continue }
            return try routed(s, declarationId: application, to: r.routedTo) ? application : nil
        }
        return nil
    }
}
