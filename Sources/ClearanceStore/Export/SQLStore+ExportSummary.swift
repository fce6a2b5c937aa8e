import Foundation

extension SQLStore: ExportSummaryStore {
    func exportInventories(ebcCode: String, afterId: Int64, limit: Int) async throws(StoreError) -> [ExportInventoryStanding] {
        try await session { (s: any SQLSession) throws(StoreError) -> [ExportInventoryStanding] in
            // Keyset paging on the primary key: each page starts where the last ended, so reading a
            // month page by page costs one pass over the enterprise's rows, not one per page.
            try s.query("""
                SELECT d.id, d.declaration_guid, m.guid, d.status, d.cop_no,
                    COALESCE(d.invt_no, (SELECT r.invt_no FROM receipts r
                        WHERE r.declaration_id = d.id AND r.for_kind = d.kind AND r.invt_no IS NOT NULL AND r.invt_no <> ''
                        ORDER BY r.id DESC LIMIT 1)),
                    e.cop_no, e.entry_id, e.dec_state
                FROM declarations d
                JOIN messages m ON m.id = d.message_id
                LEFT JOIN export_summaries e ON e.inventory_id = d.id
                WHERE d.ebc_code = $1 AND (d.kind || '') = $2 AND d.id > $3
                ORDER BY d.id
                LIMIT $4
                """, [.text(ebcCode), .text(DeclarationKind.exportInventory.rawValue), .integer(afterId), .integer(Int64(max(1, limit)))]
            ).map { (row) throws(StoreError) in
                ExportInventoryStanding(
                    declarationId: try row.requireInt64(0, "declarations.id"),
                    declarationGuid: try row.requireString(1, "declarations.declaration_guid"),
                    messageGuid: try row.requireString(2, "messages.guid"),
                    status: DeclarationStatus(try row.requireString(3, "declarations.status")),
                    copNo: row.string(4), invtNo: row.string(5), summaryCopNo: row.string(6), entryId: row.string(7),
                    decState: row.string(8))
            }
        }
    }

    func exportsToSummarise() async throws(StoreError) -> [StoreStats.EnterpriseCount] {
        try await session { (s: any SQLSession) throws(StoreError) -> [StoreStats.EnterpriseCount] in try Self.exportsToSummarise(s) }
    }

    /// The one query behind ``exportsToSummarise()`` and ``StoreStats/exportsToSummarise``.
    static func exportsToSummarise(_ s: any SQLSession) throws(StoreError) -> [StoreStats.EnterpriseCount] {
        try s.query("""
            SELECT d.ebc_code, COUNT(*) FROM declarations d
            WHERE (d.kind || '') = $1 AND d.status = $2 AND d.ebc_code IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM export_summaries e WHERE e.inventory_id = d.id)
            GROUP BY d.ebc_code ORDER BY d.ebc_code
            """, [.text(DeclarationKind.exportInventory.rawValue), .text(DeclarationStatus.cleared.rawValue)]
        ).map { (row: SQLRow) throws(StoreError) in
            StoreStats.EnterpriseCount(ebcCode: try row.requireString(0, "ebc_code"), count: row.int(1) ?? 0)
        }
    }

    func claimForSummary(inventoryIds: [Int64], copNo: String, period: String, ebcCode: String) async throws(StoreError) -> [Int64] {
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> [Int64] in
            var claimed: [Int64] = []
            for id in inventoryIds {
                let moved = try s.execute("UPDATE declarations SET status = $1 WHERE id = $2 AND status = $3 AND (kind || '') = $4", [
                    .text(DeclarationStatus.summarising.rawValue), .integer(id), .text(DeclarationStatus.cleared.rawValue),
                    .text(DeclarationKind.exportInventory.rawValue)])
                guard moved > 0 else { continue }
                let inserted = try s.execute("""
                    INSERT INTO export_summaries (inventory_id, cop_no, period, ebc_code, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (inventory_id) DO NOTHING
                    """, [.integer(id), .text(copNo), .text(period), .text(ebcCode), .integer(now)])
                guard inserted > 0 else {
                    // Another application already holds it (its row stays until customs returns that
                    // application): put the status back and leave it out of this one.
                    try s.execute("UPDATE declarations SET status = $1 WHERE id = $2", [.text(DeclarationStatus.cleared.rawValue), .integer(id)])
                    continue
                }
                _ = try Self.insertEvent(s, kind: .summarising, occurredAt: now, messageId: nil, declarationId: id, receiptId: nil,
                                         code: nil, detail: "summary application \(copNo), period \(period)",
                                         dedupKey: "summarising:\(id):\(copNo)", now: now)
                claimed.append(id)
            }
            return claimed
        }
    }

    func releaseSummaryClaim(copNo: String) async throws(StoreError) {
        try await write { (s: any SQLSession) throws(StoreError) in
            try s.execute("""
                UPDATE declarations SET status = $1
                WHERE status = $2 AND id IN (SELECT inventory_id FROM export_summaries WHERE cop_no = $3 AND entry_id IS NULL)
                """, [.text(DeclarationStatus.cleared.rawValue), .text(DeclarationStatus.summarising.rawValue), .text(copNo)])
            try s.execute("DELETE FROM export_summaries WHERE cop_no = $1 AND entry_id IS NULL", [.text(copNo)])
        }
    }
}
