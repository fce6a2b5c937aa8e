/// Bulk ingest for PostgreSQL inside the caller's transaction:
///
/// 1. `COPY` each kind of row into a session-private staging table (`TEMP … ON COMMIT DELETE ROWS`);
/// 2. `INSERT … SELECT … ON CONFLICT DO NOTHING` from staging into the real tables, resolving
///    message ids by guid and declaration ids by (kind, sender, dedup key).
///
/// Because the unique keys decide what is new, a re-run or a chunk that overlaps stored data
/// inserts nothing twice; because it all runs in one transaction, a killed process leaves the
/// whole chunk or nothing. Rows go in key order (the order of
/// ``PreparedChunk/declarationsInKeyOrder``), so two chunks written at once that share keys wait
/// for each other instead of deadlocking.
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
        // Cached plans for the chunk: foreign-key checks run once per copied row, and the
        // connection's custom-plan mode would plan each of them again (see ``PGConnection``).
        // (In a transaction of key probes too: its joins of staging tables need their scans.)
        try connection.executeScript("SET LOCAL plan_cache_mode = auto; SET LOCAL enable_seqscan TO DEFAULT")
        try connection.executeScript(Self.createStaging)

        // Messages (none in a streamed chunk: its message row already exists).
        var messageIds: [String: Int64] = [:]
        if !chunk.messages.isEmpty {
            report.messages = try writeMessages(chunk)
            for outcome in report.messages { messageIds[outcome.guid] = outcome.messageId }
        }
        // Declarations: the ids of those inserted now, by unique key (for their lines).
        var inserted: [DeclarationKey: Int64] = [:]
        if !chunk.declarations.isEmpty {
            inserted = try writeDeclarations(chunk, messageIds: messageIds)
            report.declarationsInserted = inserted.count
            report.declarationsSkipped = chunk.declarations.count - inserted.count
        }

        // Lines. Those of a declaration inserted just now cannot exist yet: they are copied
        // straight into `declaration_lines` with its id (bare-COPY speed). The others (a re-run,
        // a declaration already stored, one repeated in the chunk) go through staging and
        // `ON CONFLICT DO NOTHING`.
        if !chunk.lines.isEmpty {
            var occurrences: [DeclarationKey: Int] = [:]
            for d in chunk.declarations { occurrences[d.key, default: 0] += 1 }
            var direct: [(id: Int64, line: PreparedLine)] = []
            var staged: [PreparedLine] = []
            direct.reserveCapacity(chunk.lines.count)
            for l in chunk.lines {
                let key = l.declarationKey
                if let id = inserted[key], occurrences[key] == 1 { direct.append((id, l)) } else { staged.append(l) }
            }
            let names = BulkColumns.lines.map(\.name)
            if !direct.isEmpty {
                try connection.copyIn(
                    "COPY declaration_lines (declaration_id, \(names.joined(separator: ", "))) FROM STDIN",
                    rowCount: direct.count
                ) { i, e in
                    e.field(.integer(direct[i].id))
                    e.fields(direct[i].line.values, leadingTab: true)
                    e.endRow()
                }
                report.linesInserted += direct.count
            }
            if !staged.isEmpty {
                let (changed, count) = (try writeStagedLines(staged), staged.count)
                report.linesInserted += changed
                report.linesSkipped += count - changed
            }
        }
        return report
    }

    /// The chunk's declarations, their keys copied straight into `declaration_keys` and their rows
    /// into `declarations`, with ids taken from the keys' sequence beforehand (a bulk load's usual
    /// case: every key is new). `COPY` writes the table
    /// and its indexes a page of rows at a time, where `INSERT … SELECT … ON CONFLICT` from staging
    /// inserts row by row with a speculative probe of the unique key each, after a first copy into
    /// staging: for 100,000 inventories PostgreSQL spent 1.1–1.2 s on that copy and 4.3–4.6 s on the
    /// insert, against 3.9 s for the direct copy (its time includes waiting for the client's rows),
    /// and 1–1.4 s less CPU in all (`bench_ingest.py`, 7 Dec). The copies run under a savepoint: when a key is already stored (a
    /// re-run, a resent declaration, another transaction's insert of the same key), the keys'
    /// unique index refuses it, the copies are rolled back, and the chunk goes through staging, where
    /// `ON CONFLICT DO NOTHING` decides row by row. A key repeated within the chunk is copied once
    /// (its first occurrence), as staging keeps one.
    private func writeDeclarations(_ chunk: PreparedChunk, messageIds known: [String: Int64]) throws(StoreError) -> [DeclarationKey: Int64] {
        let messageIds = try SQLStore.messageIds(connection, guids: chunk.declarations.map(\.messageGuid), known: known)
        var seen = Set<DeclarationKey>()
        let unique = chunk.declarationsInKeyOrder.filter { messageIds[$0.messageGuid] != nil && seen.insert($0.key).inserted }
        guard !unique.isEmpty else { return [:] }  // no message stored for any (staging's join would drop them too)
        // The identity column's sequence by its name (a constant: 0.4 µs an id, against 4 µs
        // through `pg_get_serial_sequence` evaluated per row).
        let ids = try connection.query("""
            SELECT nextval('declaration_keys_declaration_id_seq'::regclass) FROM generate_series(1, $1::integer)
            """, [.integer(Int64(unique.count))]).compactMap { $0.int64(0) }
        guard ids.count == unique.count else { throw .notFound("declaration ids: asked \(unique.count), got \(ids.count)") }
        let names = BulkColumns.declarations.map(\.name)
        try connection.executeScript("SAVEPOINT clearance_copy_declarations")
        do {
            try connection.copyIn(
                "COPY declaration_keys (kind, sender_code, dedup_key, declaration_guid, declaration_id) FROM STDIN", rowCount: unique.count
            ) { i, e in
                let k = unique[i].key
                e.fields([.text(k.kind), .text(k.sender), .text(k.dedup), unique[i].guid, .integer(ids[i])], leadingTab: false)
                e.endRow()
            }
            try connection.copyIn(
                "COPY declarations (id, message_id, \(names.joined(separator: ", ")), created_at) FROM STDIN",
                rowCount: unique.count
            ) { i, e in
                let d = unique[i]
                e.field(.integer(ids[i]))
                e.buffer.append(0x09)
                e.field(.integer(messageIds[d.messageGuid] ?? 0))
                e.fields(d.values, leadingTab: true)
                e.buffer.append(0x09)
                e.field(.integer(chunk.now))
                e.endRow()
            }
        } catch where error.sqlState == "23505" {
            try connection.executeScript("ROLLBACK TO SAVEPOINT clearance_copy_declarations; RELEASE SAVEPOINT clearance_copy_declarations")
            return try stageDeclarations(chunk)
        }
        try connection.executeScript("RELEASE SAVEPOINT clearance_copy_declarations")
        var inserted: [DeclarationKey: Int64] = [:]
        for (d, id) in zip(unique, ids) { inserted[d.key] = id }
        return inserted
    }

    /// Declarations whose keys may be stored already: staged, then inserted with
    /// `ON CONFLICT DO NOTHING`; RETURNING names the ones inserted.
    private func stageDeclarations(_ chunk: PreparedChunk) throws(StoreError) -> [DeclarationKey: Int64] {
        let names = BulkColumns.declarations.map(\.name)
        // One row per key (its first in key order), as the keys take one each.
        var seen = Set<DeclarationKey>()
        let unique = chunk.declarationsInKeyOrder.filter { seen.insert($0.key).inserted }
        try connection.copyIn(
            "COPY \(Self.stageDeclarations) (message_guid, \(names.joined(separator: ", "))) FROM STDIN",
            rowCount: unique.count
        ) { i, e in
            let d = unique[i]
            e.field(.text(d.messageGuid))
            e.fields(d.values, leadingTab: true)
            e.endRow()
        }
        // The keys of the rows whose message is stored, then those rows of the keys new.
        let rows = try connection.query("""
            WITH k AS (
                INSERT INTO declaration_keys (kind, sender_code, dedup_key, declaration_guid)
                SELECT s.kind, s.sender_code, s.dedup_key, s.declaration_guid
                FROM \(Self.stageDeclarations) s JOIN message_keys m ON m.guid = s.message_guid
                ORDER BY s.kind COLLATE "C", s.sender_code COLLATE "C", s.dedup_key COLLATE "C"
                ON CONFLICT (kind, sender_code, dedup_key) DO NOTHING
                RETURNING kind, sender_code, dedup_key, declaration_id
            )
            INSERT INTO declarations (id, message_id, \(names.joined(separator: ", ")), created_at)
            SELECT k.declaration_id, m.message_id, \(names.map { "s.\($0)" }.joined(separator: ", ")), $1::bigint
            FROM k JOIN \(Self.stageDeclarations) s ON s.kind = k.kind AND s.sender_code = k.sender_code AND s.dedup_key = k.dedup_key
            JOIN message_keys m ON m.guid = s.message_guid
            RETURNING id, kind, sender_code, dedup_key
            """, [.integer(chunk.now)])
        var inserted: [DeclarationKey: Int64] = [:]
        for row in rows {
            guard let id = row.int64(0), let kind = row.string(1), let sender = row.string(2), let key = row.string(3) else {
                throw .notFound("declaration id missing right after insert")
            }
            inserted[DeclarationKey(kind: kind, sender: sender, dedup: key)] = id
        }
        return inserted
    }

    /// Lines whose declaration may already exist: staged, then attached through the unique
    /// index (a LATERAL lookup the planner cannot turn into a hash join over the whole, growing
    /// table; staging tables carry no statistics, and ANALYZE per chunk costs more than it saves).
    private func writeStagedLines(_ lines: [PreparedLine]) throws(StoreError) -> Int {
        let key = BulkColumns.lineKey.map(\.name)
        let names = BulkColumns.lines.map(\.name)
        try connection.copyIn(
            "COPY \(Self.stageLines) (\((key + names).joined(separator: ", "))) FROM STDIN", rowCount: lines.count
        ) { i, e in
            e.fields(lines[i].key, leadingTab: false)
            e.fields(lines[i].values, leadingTab: true)
            e.endRow()
        }
        return try connection.execute("""
            INSERT INTO declaration_lines (declaration_id, \(names.joined(separator: ", ")))
            SELECT d.id, \(names.map { "s.\($0)" }.joined(separator: ", "))
            FROM \(Self.stageLines) s
            CROSS JOIN LATERAL (
                SELECT declaration_id AS id FROM declaration_keys
                WHERE kind = s.kind AND sender_code = s.sender_code AND dedup_key = s.dedup_key
            ) d
            ORDER BY s.kind COLLATE "C", s.sender_code COLLATE "C", s.dedup_key COLLATE "C", s.gnum
            ON CONFLICT (declaration_id, gnum) DO NOTHING
            """, [])
    }

    private func writeMessages(_ chunk: PreparedChunk) throws(StoreError) -> [MessageOutcome] {
        var outcomes: [MessageOutcome] = []
        let firsts = chunk.firstMessages
        let messageColumns = RowInsertWriter.messageColumns
        try connection.copyIn("COPY \(Self.stageMessages) (\(messageColumns)) FROM STDIN", rowCount: firsts.count) { i, e in
            e.row(firsts[i].values)
        }
        // Fresh statistics so the planner joins staging rows through the unique indexes.
        try connection.execute("ANALYZE \(Self.stageMessages)", [])
        // The guids first (the new ones get their ids), then the heads and `received` events of those.
        var insertedIds: [String: Int64] = [:]
        for row in try connection.query("""
            WITH k AS (
                INSERT INTO message_keys (guid, sha256)
                SELECT guid, sha256 FROM \(Self.stageMessages)
                ON CONFLICT (guid) DO NOTHING
                RETURNING guid, message_id
            ), ins AS (
                INSERT INTO messages (id, \(messageColumns))
                SELECT k.message_id, \(BulkColumns.messages.map { "s.\($0.name)" }.joined(separator: ", "))
                FROM k JOIN \(Self.stageMessages) s ON s.guid = k.guid
                RETURNING id, guid, received_at
            ), ev AS (
                INSERT INTO events (kind, occurred_at, message_id, recorded_at)
                SELECT 'received', received_at, id, $1::bigint FROM ins
            )
            SELECT guid, id FROM ins
            """, [.integer(chunk.now)]) {
            if let guid = row.string(0), let id = row.int64(1) { insertedIds[guid] = id }
        }
        let inserted = Set(insertedIds.keys)
        try RowInsertWriter(connection: connection).insertParts(chunk, inserted: insertedIds)
        // Outcomes from the keys, which stay when a head is archived.
        var stored: [String: (id: Int64, sha256: String)] = [:]
        for row in try connection.query("""
            SELECT k.guid, k.message_id, k.sha256 FROM message_keys k
            WHERE k.guid IN (SELECT guid FROM \(Self.stageMessages))
            """, []) {
            if let guid = row.string(0), let id = row.int64(1), let sha = row.string(2) { stored[guid] = (id, sha) }
        }
        var seen = Set<String>()
        for m in chunk.messages {
            guard let s = stored[m.guid] else { throw .notFound("message \(m.guid) missing right after insert") }
            let first = seen.insert(m.guid).inserted
            outcomes.append(MessageOutcome.make(
                guid: m.guid, id: s.id, storedSHA256: s.sha256, offeredSHA256: m.sha256,
                newlyInserted: first && inserted.contains(m.guid)))
        }
        return outcomes
    }
}
