/// Bulk ingest for PostgreSQL inside the caller's transaction:
///
/// 1. `COPY` each kind of row into a session-private staging table (`TEMP … ON COMMIT DELETE ROWS`);
/// 2. `INSERT … SELECT … ON CONFLICT DO NOTHING` from staging into the real tables, resolving
///    message ids by guid and declaration ids by (kind, sender, dedup key).
///
/// Because the unique keys decide what is new, a re-run or a chunk that overlaps stored data
/// inserts nothing twice; because it all runs in one transaction, a killed process leaves the
/// whole chunk or nothing.
struct PGBulkWriter {
    let connection: PGConnection

    static let stageMessages = "clearance_stage_messages"
    static let stageDeclarations = "clearance_stage_declarations"
    static let stageLines = "clearance_stage_lines"

    private static func stageTable(_ name: String, _ columns: [BulkColumn]) -> String {
        "CREATE TEMP TABLE IF NOT EXISTS \(name) ("
            + columns.map { "\($0.name) \($0.pgType)" }.joined(separator: ", ")
            + ") ON COMMIT DELETE ROWS;"
    }

    /// Created per transaction (cheap when present); inside the transaction so a rollback cannot
    /// leave the session believing a table exists that does not.
    static let createStaging = [
        stageTable(stageMessages, BulkColumns.messages),
        stageTable(stageDeclarations, [BulkColumn(name: "message_guid", pgType: "TEXT")] + BulkColumns.declarations),
        stageTable(stageLines, BulkColumns.lineKey + BulkColumns.lines),
    ].joined(separator: "\n")

    func write(_ chunk: PreparedChunk) throws(StoreError) -> IngestReport {
        var report = IngestReport()
        try connection.executeScript(Self.createStaging)

        // Messages.
        let messageColumns = BulkColumns.messages.map(\.name).joined(separator: ", ")
        try connection.copyIn("COPY \(Self.stageMessages) (\(messageColumns)) FROM STDIN", rowCount: chunk.messages.count) { i, e in
            e.row(chunk.messages[i].values)
        }
        // Fresh statistics so the planner joins staging rows through the unique indexes.
        try connection.execute("ANALYZE \(Self.stageMessages)", [])
        let inserted = Set(try connection.query("""
            WITH ins AS (
                INSERT INTO messages (\(messageColumns))
                SELECT \(messageColumns) FROM \(Self.stageMessages)
                ON CONFLICT (guid) DO NOTHING
                RETURNING id, guid, received_at
            ), ev AS (
                INSERT INTO events (kind, occurred_at, message_id, recorded_at)
                SELECT 'received', received_at, id, $1::bigint FROM ins
            )
            SELECT guid FROM ins
            """, [.integer(chunk.now)]).compactMap { $0.string(0) })
        var stored: [String: (id: Int64, sha256: String)] = [:]
        for row in try connection.query("""
            SELECT m.guid, m.id, m.sha256 FROM messages m
            WHERE m.guid IN (SELECT guid FROM \(Self.stageMessages))
            """, []) {
            if let guid = row.string(0), let id = row.int64(1), let sha = row.string(2) { stored[guid] = (id, sha) }
        }
        var seen = Set<String>()
        for m in chunk.messages {
            guard let s = stored[m.guid] else { throw .notFound("message \(m.guid) missing right after insert") }
            let first = seen.insert(m.guid).inserted
            report.messages.append(MessageOutcome.make(
                guid: m.guid, id: s.id, storedSHA256: s.sha256, offeredSHA256: m.sha256,
                newlyInserted: first && inserted.contains(m.guid)))
        }

        // Declarations.
        if !chunk.declarations.isEmpty {
            let names = BulkColumns.declarations.map(\.name)
            try connection.copyIn(
                "COPY \(Self.stageDeclarations) (message_guid, \(names.joined(separator: ", "))) FROM STDIN",
                rowCount: chunk.declarations.count
            ) { i, e in
                let d = chunk.declarations[i]
                e.field(.text(d.messageGuid))
                e.fields(d.values, leadingTab: true)
                e.endRow()
            }
            try connection.execute("ANALYZE \(Self.stageDeclarations)", [])
            let changed = try connection.execute("""
                INSERT INTO declarations (message_id, \(names.joined(separator: ", ")), created_at)
                SELECT m.id, \(names.map { "s.\($0)" }.joined(separator: ", ")), $1::bigint
                FROM \(Self.stageDeclarations) s JOIN messages m ON m.guid = s.message_guid
                ON CONFLICT (kind, sender_code, dedup_key) DO NOTHING
                """, [.integer(chunk.now)])
            report.declarationsInserted = changed
            report.declarationsSkipped = chunk.declarations.count - changed
        }

        // Lines.
        if !chunk.lines.isEmpty {
            let key = BulkColumns.lineKey.map(\.name)
            let names = BulkColumns.lines.map(\.name)
            try connection.copyIn(
                "COPY \(Self.stageLines) (\((key + names).joined(separator: ", "))) FROM STDIN",
                rowCount: chunk.lines.count
            ) { i, e in
                let l = chunk.lines[i]
                e.fields(l.key, leadingTab: false)
                e.fields(l.values, leadingTab: true)
                e.endRow()
            }
            try connection.execute("ANALYZE \(Self.stageLines)", [])
            let changed = try connection.execute("""
                INSERT INTO declaration_lines (declaration_id, \(names.joined(separator: ", ")))
                SELECT d.id, \(names.map { "s.\($0)" }.joined(separator: ", "))
                FROM \(Self.stageLines) s
                JOIN declarations d ON d.kind = s.kind AND d.sender_code = s.sender_code AND d.dedup_key = s.dedup_key
                ON CONFLICT (declaration_id, gnum) DO NOTHING
                """, [])
            report.linesInserted = changed
            report.linesSkipped = chunk.lines.count - changed
        }
        return report
    }
}
