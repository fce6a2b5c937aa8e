import CEBModel
import Foundation

/// Receipts: stored once, linked to the declaration they really answer, moving its status only
/// forward in the customs order of states.
extension SQLStore {
    func storeReceipts(_ receipts: [ReceiptRecord]) async throws(StoreError) -> [ReceiptOutcome] {
        guard !receipts.isEmpty else { return [] }
        let now = StoreClock.milliseconds(.now)
        let floors = declarationFloors
        return try await write { (s: any SQLSession) throws(StoreError) -> [ReceiptOutcome] in
            var outcomes: [ReceiptOutcome] = []
            for r in receipts {
                outcomes.append(try Self.storeReceipt(s, r, floors: floors, now: now))
            }
            return outcomes
        }
    }

    private static func storeReceipt(
        _ s: any SQLSession, _ r: ReceiptRecord, floors: DeclarationIdFloors, now: Int64
    ) throws(StoreError) -> ReceiptOutcome {
        guard let message = try s.queryOne("SELECT id, received_at FROM messages WHERE id = \(Self.keyedMessageId)", [.text(r.messageGuid)]) else {
            throw .notFound("receipt message \(r.messageGuid) is not stored; ingest it first")
        }
        let messageId = try message.requireInt64(0, "messages.id")
        let receivedAt = try message.requireInt64(1, "messages.received_at")
        let declarationId = r.summaryResult != nil ? try summaryApplication(s, for: r) : try resolveDeclaration(s, for: r, floors: floors)
        let inserted = try s.queryOne("""
            INSERT INTO receipts (message_id, for_kind, reference_guid, return_status, return_time, return_info,
                order_no, logistics_no, invt_no, cop_no, pre_no, pay_transaction_id, ebp_code, ebc_code,
                logistics_code, agent_code, customs_code, declaration_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            ON CONFLICT (for_kind, reference_guid, return_status, return_time) DO NOTHING
            RETURNING id
            """, [
                .integer(messageId), .text(r.forKind.rawValue), .text(r.referenceGuid), .text(r.returnStatus),
                .text(r.returnTime), .optional(r.returnInfo), .optional(r.orderNo), .optional(r.logisticsNo),
                .optional(r.invtNo), .optional(r.copNo), .optional(r.preNo), .optional(r.payTransactionId),
                .optional(r.ebpCode), .optional(r.ebcCode), .optional(r.logisticsCode), .optional(r.agentCode),
                .optional(r.customsCode), .optional(declarationId), .integer(now),
            ])
        guard let inserted else {
            guard let existing = try s.queryOne("""
                SELECT id, declaration_id FROM receipts
                WHERE for_kind = $1 AND reference_guid = $2 AND return_status = $3 AND return_time = $4
                """, [.text(r.forKind.rawValue), .text(r.referenceGuid), .text(r.returnStatus), .text(r.returnTime)])
            else { throw .notFound("receipt \(r.referenceGuid) vanished after a conflict") }
            return ReceiptOutcome(
                receiptId: try existing.requireInt64(0, "receipts.id"), declarationId: existing.int64(1), inserted: false)
        }
        let receiptId = try inserted.requireInt64(0, "receipts.id")
        if let declarationId, !r.forKind.isAuthorityAnswer, !r.forKind.isTaxBill {
            try advanceStatus(s, declarationId: declarationId, receipt: r)
            try settleInventory(s, declarationId: declarationId, receipt: r)
            try exportClearanceEffects(s, declarationId: declarationId, receipt: r, receiptId: receiptId, occurredAt: receivedAt, now: now)
        }
        _ = try insertEvent(
            s, kind: .receipt, occurredAt: receivedAt, messageId: messageId, declarationId: declarationId,
            receiptId: receiptId, code: r.returnStatus, detail: r.returnInfo, dedupKey: nil, now: now)
        return ReceiptOutcome(receiptId: receiptId, declarationId: declarationId, inserted: true)
    }

    /// Moves the declaration to the receipt's status when that is a step forward in the customs
    /// order of states (``CustomsProgress``); between states of the same rank, the newest
    /// `returnTime` wins. Only a receipt for the declaration's own kind (customs) counts: an
    /// authority's answer (inspection, payment/FX) neither sets the status nor holds one back.
    private static func advanceStatus(_ s: any SQLSession, declarationId: Int64, receipt r: ReceiptRecord) throws(StoreError) {
        guard let row = try s.queryOne(
            "SELECT status, kind FROM declarations WHERE id = $1", [.integer(declarationId)]),
            row.string(1) == r.forKind.rawValue else { return }
        let current = row.string(0) ?? ""
        let newestSameRank = try s.query("""
            SELECT return_status, return_time FROM receipts
            WHERE declaration_id = $1 AND for_kind = $2 AND return_time > $3
            """, [.integer(declarationId), .text(r.forKind.rawValue), .text(r.returnTime)])
            .contains { CustomsProgress(status: $0.string(0) ?? "").rank == CustomsProgress(status: r.returnStatus).rank }
        guard CustomsProgress.moves(from: current, to: r.returnStatus, newerExists: newestSameRank) else { return }
        try s.execute("UPDATE declarations SET status = $1 WHERE id = $2", [.text(r.returnStatus), .integer(declarationId)])
    }

    /// A cancellation (CEB623, answered by CEB624), return (CEB625, answered by CEB626) or export
    /// return (CEB213, answered by CEB214) that customs approves (800/899 for the import ones; 120
    /// or later for the export return) settles the inventory it names: `cancelled`, `refunded` or
    /// `returned`, so the shipment shows it and the buyer's annual count no longer holds its
    /// amount. The inventory is the newest of the same parties with the request's invtNo (its own,
    /// or the one customs gave it in a receipt) or copNo.
    private static func settleInventory(_ s: any SQLSession, declarationId: Int64, receipt r: ReceiptRecord) throws(StoreError) {
        let settled: DeclarationStatus
        let inventoryKind: DeclarationKind
        let approved: Bool
        switch r.forKind {
        case .inventoryCancel: (settled, inventoryKind, approved) = (.cancelled, .inventory, ["800", "899"].contains(r.returnStatus))
        case .inventoryRefund: (settled, inventoryKind, approved) = (.refunded, .inventory, ["800", "899"].contains(r.returnStatus))
        case .exportReturn:
            (settled, inventoryKind, approved) = (.exportReturned, .exportInventory, CustomsProgress(status: r.returnStatus).rank >= 2
                && !CustomsProgress(status: r.returnStatus).isFinal)
        default: return
        }
        guard approved else { return }
        guard let request = try s.queryOne(
            "SELECT invt_no, cop_no, ebp_code, ebc_code, agent_code FROM declarations WHERE id = $1", [.integer(declarationId)])
        else { return }
        // The export return's own copNo is its `coElNo`, not the inventory's: it names the inventory by invtNo only.
        let copNo = r.forKind == .exportReturn ? nil : request.string(1)
        try s.execute("""
            UPDATE declarations SET status = $1
            WHERE id = (
                SELECT id FROM declarations
                WHERE kind = $7 AND ((invt_no IS NOT NULL AND invt_no = $2) OR (cop_no IS NOT NULL AND cop_no = $3)
                    -- customs gives an inventory its invtNo in a receipt: find it through that receipt too
                    OR id IN (SELECT declaration_id FROM receipts WHERE invt_no = $2 AND for_kind = $7 AND declaration_id IS NOT NULL))
                  AND (CAST($4 AS TEXT) IS NULL OR COALESCE(ebp_code, '') = $4)
                  AND (CAST($5 AS TEXT) IS NULL OR COALESCE(ebc_code, '') = $5)
                  AND (CAST($6 AS TEXT) IS NULL OR COALESCE(agent_code, '') = $6)
                ORDER BY id DESC LIMIT 1)
            """, [.text(settled.rawValue), .optional(request.string(0)), .optional(copNo),
                  .optional(request.string(2)), .optional(request.string(3)), .optional(request.string(4)), .text(inventoryKind.rawValue)])
    }

    /// Finds the declaration a receipt answers, among its ``ReceiptRecord/matchKinds`` (in order):
    /// by the echoed head guid, else by business number. A candidate is taken only when every key
    /// the receipt quotes agrees with it and, when the receipt says which destinations its
    /// authority stands behind, when the candidate's message was queued for one of them. The guid
    /// is found in `declaration_keys` (migration 83), the same however many partitions are
    /// attached; the numbers, which probe each partition's index, only when no declaration of
    /// that guid answers (an authority's answer or a tax bill quotes a guid of its own). With
    /// `floors` on PostgreSQL, a number's declarations stored this year (``DeclarationIdFloors``)
    /// are tried first and the older ones only when none of those answers, so a receipt for a
    /// recent declaration probes only the recent partitions; the candidates are tried in the
    /// same order either way (each number's newest eight, newest first).
    private static func resolveDeclaration(
        _ s: any SQLSession, for r: ReceiptRecord, floors: DeclarationIdFloors
    ) throws(StoreError) -> Int64? {
        let kinds = r.matchKinds.isEmpty ? [r.forKind] : r.matchKinds
        var candidates: [Int64] = []
        for kind in kinds {
            if let id = try s.queryOne("""
                SELECT MAX(k.declaration_id) FROM declaration_keys k \(s.dialect.declarationsByKey)
                WHERE k.declaration_guid = $1 AND k.kind = $2
                """, [.text(r.referenceGuid), .text(kind.rawValue)])?.int64(0) {
                if try answers(s, r, declarationId: id) { return id }
                candidates.append(id)
            }
        }
        let keys: [(String, String?)] = [
            ("cop_no", r.copNo), ("invt_no", r.invtNo), ("pay_transaction_id", r.payTransactionId),
            ("logistics_no", r.logisticsNo), ("order_no", r.orderNo),
        ]
        var tried = Set(candidates)
        /// The first of `rows`' ids, in order, not tried before, that the receipt answers.
        func firstAnswering(_ rows: [SQLRow]) throws(StoreError) -> Int64? {
            for row in rows {
                guard let id = row.int64(0), tried.insert(id).inserted else { continue }
                if try answers(s, r, declarationId: id) { return id }
            }
            return nil
        }
        let floor = try floors.floor(year: ChinaTime.year(of: Date()), in: s)
        for (column, value) in keys {
            guard let value, !value.isEmpty else { continue }
            for kind in kinds {
                // By the key column's index, never the (kind, …) one (see `declarationPhase`).
                let byNumber = "SELECT id FROM declarations WHERE (kind || '') = $1 AND \(column) = $2"
                let number: [SQLValue] = [.text(kind.rawValue), .text(value)]
                if let floor {
                    let recent = try s.query(byNumber + " AND id >= $3 ORDER BY id DESC LIMIT 8", number + [.integer(floor)])
                    if let id = try firstAnswering(recent) { return id }
                    if recent.count < 8, let id = try firstAnswering(try s.query(
                        byNumber + " AND id < $3 ORDER BY id DESC LIMIT \(8 - recent.count)", number + [.integer(floor)])) { return id }
                } else if let id = try firstAnswering(try s.query(byNumber + " ORDER BY id DESC LIMIT 8", number)) {
                    return id
                }
                // Customs gives an inventory its invtNo in a receipt (CEB622): later documents quoting
                // that number (tax bills) find the inventory through the receipt.
                guard column == "invt_no" else { continue }
                if let id = try firstAnswering(try s.query("""
                    SELECT declaration_id FROM receipts
                    WHERE invt_no = $1 AND for_kind = $2 AND declaration_id IS NOT NULL ORDER BY id DESC LIMIT 8
                    """, [.text(value), .text(kind.rawValue)])) { return id }
            }
        }
        return nil
    }

    /// Whether the receipt may be linked to this declaration: its quoted keys agree (a key the
    /// declaration does not carry is not a disagreement) and it was routed to the receipt's authority.
    private static func answers(_ s: any SQLSession, _ r: ReceiptRecord, declarationId: Int64) throws(StoreError) -> Bool {
        guard let d = try s.queryOne("""
            SELECT declaration_guid, cop_no, invt_no, pre_no, pay_transaction_id, logistics_no, order_no,
                ebp_code, ebc_code, logistics_code, agent_code
            FROM declarations WHERE id = $1
            """, [.integer(declarationId)]) else { return false }
        // An authority's answer quotes the guid of its own request, a tax bill its own: not the declaration's.
        let guidAgrees = r.forKind.isAuthorityAnswer || r.forKind.isTaxBill || d.string(0) == r.referenceGuid
        let quoted: [(Int, String?)] = [(1, r.copNo), (2, r.invtNo), (3, r.preNo), (4, r.payTransactionId), (5, r.logisticsNo), (6, r.orderNo)]
        let parties: [(Int, String?)] = [(7, r.ebpCode), (8, r.ebcCode), (9, r.logisticsCode), (10, r.agentCode)]
        for (column, value) in quoted + parties {
            guard let value, !value.isEmpty, let stored = d.string(column), !stored.isEmpty else { continue }
            if stored != value { return false }
        }
        // A receipt quoting only the guid must quote the right one; by number it must agree on every number.
        if !guidAgrees, quoted.allSatisfy({ $0.1?.isEmpty ?? true }) { return false }
        return try routed(s, declarationId: declarationId, to: r.routedTo)
    }

    /// Whether the declaration's message was queued for one of `destinations` (nil: no restriction).
    static func routed(_ s: any SQLSession, declarationId: Int64, to destinations: [String]?) throws(StoreError) -> Bool {
        guard let destinations else { return true }
        guard !destinations.isEmpty else { return false }
        let placeholders = destinations.indices.map { "$\($0 + 2)" }.joined(separator: ", ")
        return try s.queryOne("""
            SELECT 1 FROM outbox o JOIN declarations d ON d.message_id = o.message_id
            WHERE d.id = $1 AND o.destination IN (\(placeholders)) LIMIT 1
            """, [.integer(declarationId)] + destinations.map { .text($0) }) != nil
    }
}
