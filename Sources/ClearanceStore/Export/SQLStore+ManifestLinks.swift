/// Linking a CEB607 consolidated waybill (清单总分单) to the export inventories it carries, in
/// bounded memory on both sides: the manifest's stored lines are taken in windows of
/// ``manifestLinkWindow`` by gnum, and each window is one `INSERT … SELECT` of the events and two
/// small queries for the lines whose inventory is unknown, in its own transaction.
extension SQLStore {
    /// Lines per link transaction.
    static let manifestLinkWindow = 5_000

    func linkManifest(senderCode: String, declaration d: DeclarationRecord) async throws(StoreError) -> ManifestLinkReport {
        let key: [SQLValue] = [.text(d.kind.rawValue), .text(senderCode), .text(d.dedupKey)]
        let found = try await session { (s: any SQLSession) throws(StoreError) -> (id: Int64, bill: String, at: Int64?)? in
            guard let row = try s.queryOne("""
                SELECT d.id, d.bill_no, d.cop_no, m.received_at FROM declarations d JOIN messages m ON m.id = d.message_id
                WHERE d.id = (SELECT declaration_id FROM declaration_keys WHERE kind = $1 AND sender_code = $2 AND dedup_key = $3)
                """, key), let id = row.int64(0) else { return nil }
            return (id, "consolidated waybill billNo \(row.string(1) ?? "?") (copNo \(row.string(2) ?? "?")), parcel ", row.int64(3))
        }
        guard let found else { return ManifestLinkReport() }
        let (manifestId, bill) = (found.id, found.bill)
        let occurredAt = found.at ?? StoreClock.milliseconds(.now)
        var report = ManifestLinkReport()
        var after = Int64.min
        while true {
            let (from, wanted) = (after, ManifestLinkReport.maxExamples - report.unknownExamples.count)
            let window = try await write { (s: any SQLSession) throws(StoreError) -> (report: ManifestLinkReport, last: Int64)? in
                try Self.linkWindow(s, manifest: manifestId, after: from, bill: bill, occurredAt: occurredAt, examplesWanted: wanted)
            }
            guard let window else { break }
            report.add(window.report)
            after = window.last
        }
        let summary = "\(report.linkedLines) of \(report.lines) parcels linked to stored export inventories"
            + (report.unknownLines == 0 ? "" : "; \(report.unknownLines) name inventories not stored (e.g. "
               + report.unknownExamples.joined(separator: ", ") + ")")
            + (report.otherParcelLines == 0 ? "" : "; \(report.otherParcelLines) name an inventory of another waybill (logisticsNo)")
        let final = report
        _ = try await write { (s: any SQLSession) throws(StoreError) -> Int64? in
            try Self.insertEvent(s, kind: .manifestLinked, occurredAt: occurredAt, messageId: nil, declarationId: manifestId, receiptId: nil,
                                 code: nil, detail: summary,
                                 dedupKey: "manifest-linked:\(manifestId):\(final.linkedLines):\(final.unknownLines)",
                                 now: StoreClock.milliseconds(.now))
        }
        return report
    }

    /// One window of at most ``manifestLinkWindow`` lines after gnum `after`; nil when none is left.
    private static func linkWindow(_ s: any SQLSession, manifest: Int64, after: Int64, bill: String, occurredAt: Int64,
                                   examplesWanted: Int) throws(StoreError) -> (report: ManifestLinkReport, last: Int64)? {
        guard let bounds = try s.queryOne("""
            SELECT MAX(gnum), COUNT(*) FROM (
                SELECT gnum FROM declaration_lines WHERE declaration_id = $1 AND gnum > CAST($2 AS BIGINT) ORDER BY gnum LIMIT $3) w
            """, [.integer(manifest), .integer(after), .integer(Int64(manifestLinkWindow))]),
              let last = bounds.int64(0), let count = bounds.int(1), count > 0 else { return nil }
        let inventory = DeclarationKind.exportInventory.rawValue
        // The inventory a line names: its own invtNo, or the one customs gave it in a receipt (CEB604).
        let named = """
            (SELECT d.id FROM declarations d WHERE d.kind = $4 AND d.invt_no = l.item_name
             UNION SELECT r.declaration_id FROM receipts r
             WHERE r.invt_no = l.item_name AND r.for_kind = $4 AND r.declaration_id IS NOT NULL)
            """
        let window: [SQLValue] = [.integer(manifest), .integer(after), .integer(last), .text(inventory)]
        var report = ManifestLinkReport()
        report.lines = count
        // One event per inventory the window names, keyed by inventory and manifest: the keys not
        // used before (``claimDedupKeys(_:_:)``'s table) say which inventories get one now.
        let linked = """
            FROM declaration_lines l JOIN declarations inv ON inv.id IN \(named)
            WHERE l.declaration_id = $1 AND l.gnum > CAST($2 AS BIGINT) AND l.gnum <= CAST($3 AS BIGINT)
            """
        let keyPrefix = "consolidated:"
        let fresh = try s.query("""
            INSERT INTO event_keys (dedup_key)
            SELECT DISTINCT '\(keyPrefix)' || CAST(inv.id AS TEXT) || ':' || CAST($5 AS TEXT) \(linked)
            ON CONFLICT (dedup_key) DO NOTHING RETURNING dedup_key
            """, window + [.text(String(manifest))]).compactMap { row in
                row.string(0).flatMap { Int64($0.dropFirst(keyPrefix.count).prefix { $0 != ":" }) }
            }
        for group in fresh.sorted().chunked(RowInsertWriter.linesPerStatement) {
            report.eventsAdded += try s.execute("""
                INSERT INTO events (kind, occurred_at, declaration_id, detail, dedup_key, recorded_at)
                SELECT CAST($5 AS TEXT), CAST($6 AS BIGINT), inv.id, CAST($7 AS TEXT) || MIN(COALESCE(l.item_no, '?')),
                    '\(keyPrefix)' || CAST(inv.id AS TEXT) || ':' || CAST($8 AS TEXT), CAST($9 AS BIGINT)
                \(linked) AND inv.id IN (\(placeholders(group.count, from: 10)))
                GROUP BY inv.id
                """, window + [.text(EventKind.consolidated.rawValue), .integer(occurredAt), .text(bill), .text(String(manifest)),
                               .integer(StoreClock.milliseconds(.now))] + group.map { .integer($0) })
        }
        let unknown = """
            FROM declaration_lines l
            WHERE l.declaration_id = $1 AND l.gnum > CAST($2 AS BIGINT) AND l.gnum <= CAST($3 AS BIGINT) AND l.item_name IS NOT NULL
              AND NOT EXISTS \(named)
            """
        report.unknownLines = try s.queryOne("SELECT COUNT(*) " + unknown, window)?.int(0) ?? 0
        report.linkedLines = try s.queryOne("""
            SELECT COUNT(*) FROM declaration_lines l
            WHERE l.declaration_id = $1 AND l.gnum > CAST($2 AS BIGINT) AND l.gnum <= CAST($3 AS BIGINT) AND EXISTS \(named)
            """, window)?.int(0) ?? 0
        report.otherParcelLines = try s.queryOne("""
            SELECT COUNT(*) FROM declaration_lines l
            WHERE l.declaration_id = $1 AND l.gnum > CAST($2 AS BIGINT) AND l.gnum <= CAST($3 AS BIGINT) AND EXISTS (
                SELECT 1 FROM declarations inv WHERE inv.id IN \(named) AND inv.logistics_no IS NOT NULL AND inv.logistics_no <> l.item_no)
            """, window)?.int(0) ?? 0
        if report.unknownLines > 0 && examplesWanted > 0 {
            report.unknownExamples = try s.query("SELECT l.item_name " + unknown + " ORDER BY l.gnum LIMIT $5",
                                                 window + [.integer(Int64(examplesWanted))]).compactMap { $0.string(0) }
        }
        return (report, last)
    }

    func withdrawStreamedDeclaration(senderCode: String, declaration d: DeclarationRecord) async throws(StoreError) -> Bool {
        let key: [SQLValue] = [.text(d.kind.rawValue), .text(senderCode), .text(d.dedupKey), .text(d.messageGuid)]
        return try await write { (s: any SQLSession) throws(StoreError) -> Bool in
            guard let id = try s.queryOne("""
                SELECT k.declaration_id FROM declaration_keys k JOIN declarations d ON d.id = k.declaration_id
                WHERE k.kind = $1 AND k.sender_code = $2 AND k.dedup_key = $3
                  AND d.message_id = (SELECT message_id FROM message_keys WHERE guid = $4)
                """, key)?.int64(0) else { return false }
            try s.execute("DELETE FROM declaration_lines WHERE declaration_id = $1", [.integer(id)])
            try s.execute("DELETE FROM events WHERE declaration_id = $1", [.integer(id)])
            try s.execute("DELETE FROM declarations WHERE id = $1", [.integer(id)])
            try s.execute("DELETE FROM declaration_keys WHERE declaration_id = $1", [.integer(id)])
            return true
        }
    }
}
