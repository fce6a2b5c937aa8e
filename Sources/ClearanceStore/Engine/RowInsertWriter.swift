/// Chunk writes as multi-row `INSERT … ON CONFLICT DO NOTHING` statements inside the caller's
/// transaction, in SQL both engines speak.
///
/// SQLite uses it for every chunk (its statements are prepared once per row count and cached,
/// in WAL mode). PostgreSQL uses it for small chunks — single messages from the service and the
/// flow — where `COPY` through staging tables costs more round trips, catalog work and
/// truncation than the few rows it moves; large chunks go through ``PGBulkWriter``.
///
/// Declarations find their message, and lines their declaration, through scalar sub-selects on
/// the unique keys, so a re-run (or a row already stored by an earlier chunk) is simply skipped.
/// Rows go in key order (``PreparedChunk/declarationsInKeyOrder``), as in ``PGBulkWriter``.
struct RowInsertWriter {
    let connection: any SQLSession

    /// Whether a chunk is small enough that row inserts beat `COPY` on PostgreSQL.
    static func suitsPostgres(_ chunk: PreparedChunk) -> Bool {
        chunk.messages.count <= messagesPerStatement && chunk.declarations.count <= declarationsPerStatement
            && chunk.lines.count <= linesPerStatement * 2
    }

    /// Rows per multi-row statement, kept well under SQLite's 32,766 bound parameters.
    static let messagesPerStatement = 64
    static let declarationsPerStatement = 32
    static let linesPerStatement = 128

    func write(_ chunk: PreparedChunk) throws(StoreError) -> IngestReport {
        var report = IngestReport()

        // Messages: their guids first (RETURNING lists only the keys actually new, with the ids
        // handed out), then the heads of those, each from the first occurrence of its guid.
        var inserted: [String: (id: Int64, receivedAt: Int64)] = [:]
        let firsts = chunk.firstMessages
        for group in firsts.chunked(Self.messagesPerStatement) {
            let keys = try Self.insertKeys(group, connection)
            let fresh = group.filter { keys[$0.guid] != nil }
            guard !fresh.isEmpty else { continue }
            try connection.execute(
                "INSERT INTO messages (id, \(Self.messageColumns)) VALUES "
                    + Self.tuples(rows: fresh.count, width: BulkColumns.messages.count + 1),
                fresh.flatMap { m -> [SQLValue] in [.integer(keys[m.guid]!)] + m.values })
            for m in fresh { inserted[m.guid] = (keys[m.guid]!, m.receivedAt) }
        }
        try insertParts(chunk, inserted: inserted.mapValues(\.id))
        // A `received` event per newly stored message.
        let newMessages = inserted.values.sorted { $0.id < $1.id }
        for group in newMessages.chunked(Self.linesPerStatement) {
            let sql = "INSERT INTO events (kind, occurred_at, message_id, recorded_at) VALUES "
                + Self.tuples(rows: group.count, width: 4)
            try connection.execute(sql, group.flatMap { m -> [SQLValue] in
                [.text(EventKind.received.rawValue), .integer(m.receivedAt), .integer(m.id), .integer(chunk.now)]
            })
        }
        report.messages = try outcomes(chunk, inserted: inserted.mapValues(\.id))

        // Declarations: their keys first (RETURNING lists the new ones with the ids handed out), then
        // the rows of those, each key's first in key order; RETURNING tells each one's message.
        var insertedRows: [Int64: InsertedRows] = [:]
        var messageOf: [Int64: Int64] = [:]
        let declColumns = ["id", "message_id"] + BulkColumns.declarations.map(\.name) + ["created_at"]
        let declWidth = BulkColumns.declarations.count + 3
        for group in chunk.declarationsInKeyOrder.chunked(Self.declarationsPerStatement) {
            let ids = try Self.insertKeys(group, connection)
            var fresh: [(id: Int64, declaration: PreparedDeclaration)] = []
            var taken = Set<Int64>()
            for d in group { if let id = ids[d.key], taken.insert(id).inserted { fresh.append((id, d)) } }
            report.declarationsSkipped += group.count - fresh.count
            guard !fresh.isEmpty else { continue }
            var tuples: [String] = []
            var params: [SQLValue] = []
            params.reserveCapacity(fresh.count * declWidth)
            for (id, d) in fresh {
                let base = params.count
                var slots = ["$\(base + 1)", "(SELECT message_id FROM message_keys WHERE guid = $\(base + 2))"]
                slots += (0..<(declWidth - 2)).map { "$\(base + 3 + $0)" }
                tuples.append("(" + slots.joined(separator: ", ") + ")")
                params.append(.integer(id))
                params.append(.text(d.messageGuid))
                params += d.values
                params.append(.integer(chunk.now))
            }
            let sql = "INSERT INTO declarations (\(declColumns.joined(separator: ", "))) VALUES "
                + tuples.joined(separator: ", ") + " RETURNING id, message_id"
            for row in try connection.query(sql, params) {
                let messageId = try row.requireInt64(1, "declarations.message_id")
                messageOf[try row.requireInt64(0, "declarations.id")] = messageId
                insertedRows[messageId, default: InsertedRows()].declarations += 1
            }
            report.declarationsInserted += fresh.count
        }

        // Lines, attached through the declaration's unique key.
        let lineColumns = ["declaration_id"] + BulkColumns.lines.map(\.name)
        let lineWidth = BulkColumns.lineKey.count + BulkColumns.lines.count
        for group in chunk.linesInKeyOrder.chunked(Self.linesPerStatement) {
            var tuples: [String] = []
            var params: [SQLValue] = []
            params.reserveCapacity(group.count * lineWidth)
            for l in group {
                let b = params.count
                var slots = ["(SELECT declaration_id FROM declaration_keys WHERE kind = $\(b + 1) AND sender_code = $\(b + 2) AND dedup_key = $\(b + 3))"]
                slots += (0..<BulkColumns.lines.count).map { "$\(b + 4 + $0)" }
                tuples.append("(" + slots.joined(separator: ", ") + ")")
                params += l.key
                params += l.values
            }
            let sql = "INSERT INTO declaration_lines (\(lineColumns.joined(separator: ", "))) VALUES "
                + tuples.joined(separator: ", ") + " ON CONFLICT (declaration_id, gnum) DO NOTHING RETURNING declaration_id"
            let rows = try connection.query(sql, params)
            for row in rows {
                // A line of a declaration stored by an earlier chunk counts for no message here.
                if let messageId = messageOf[try row.requireInt64(0, "declaration_lines.declaration_id")] {
                    insertedRows[messageId, default: InsertedRows()].lines += 1
                }
            }
            let changed = rows.count
            report.linesInserted += changed
            report.linesSkipped += group.count - changed
        }
        report.insertedByMessage = insertedRows
        return report
    }

    /// The heads' columns (``BulkColumns/messages``) as SQL.
    static let messageColumns = BulkColumns.messages.map(\.name).joined(separator: ", ")

    /// Stores the guids of `messages` (distinct) in `message_keys` with their digests; returns the
    /// ids handed out to the new ones by guid (a guid already stored is left as it is).
    static func insertKeys(_ messages: ArraySlice<PreparedMessage>, _ connection: any SQLSession) throws(StoreError) -> [String: Int64] {
        var ids: [String: Int64] = [:]
        let sql = "INSERT INTO message_keys (guid, sha256) VALUES " + tuples(rows: messages.count, width: 2)
            + " ON CONFLICT (guid) DO NOTHING RETURNING guid, message_id"
        for row in try connection.query(sql, messages.flatMap { m -> [SQLValue] in [.text(m.guid), .text(m.sha256)] }) {
            ids[try row.requireString(0, "message_keys.guid")] = try row.requireInt64(1, "message_keys.message_id")
        }
        return ids
    }

    /// Stores the keys of `declarations` in `declaration_keys`; returns the ids handed out to the new
    /// ones by key (a key already stored, or repeated in `declarations`, is left as it is).
    static func insertKeys(_ declarations: ArraySlice<PreparedDeclaration>, _ connection: any SQLSession) throws(StoreError) -> [DeclarationKey: Int64] {
        var ids: [DeclarationKey: Int64] = [:]
        let sql = "INSERT INTO declaration_keys (kind, sender_code, dedup_key, declaration_guid) VALUES " + tuples(rows: declarations.count, width: 4)
            + " ON CONFLICT (kind, sender_code, dedup_key) DO NOTHING RETURNING kind, sender_code, dedup_key, declaration_id"
        for row in try connection.query(sql, declarations.flatMap { d -> [SQLValue] in
            let k = d.key
            return [.text(k.kind), .text(k.sender), .text(k.dedup), d.guid]
        }) {
            ids[DeclarationKey(kind: try row.requireString(0, "kind"), sender: try row.requireString(1, "sender_code"),
                               dedup: try row.requireString(2, "dedup_key"))] = try row.requireInt64(3, "declaration_keys.declaration_id")
        }
        return ids
    }

    /// The raw parts of the messages just inserted (`inserted`: their ids by guid), each from the
    /// first occurrence of its guid in the chunk, which is the row the insert kept.
    func insertParts(_ chunk: PreparedChunk, inserted: [String: Int64]) throws(StoreError) {
        var firstParts: [String: [MessagePart]] = [:]
        for m in chunk.messages where firstParts[m.guid] == nil { firstParts[m.guid] = m.parts }
        let rows = inserted.sorted { $0.value < $1.value }.flatMap { guid, id in
            (firstParts[guid] ?? []).map { (messageId: id, part: $0) }
        }
        for group in Self.grouped(rows, rows: Self.messagesPerStatement, bytes: PreparedMessage.partSize, size: { $0.part.bytes.count }) {
            try connection.execute(
                "INSERT INTO message_parts (message_id, part_no, bytes) VALUES " + Self.tuples(rows: group.count, width: 3),
                group.flatMap { r -> [SQLValue] in [.integer(r.messageId), .integer(Int64(r.part.index)), .blob(r.part.bytes)] })
        }
    }

    /// The outcome of every message: those just inserted from `RETURNING`, the others (duplicates
    /// and guid conflicts) by looking up the stored id and digest.
    private func outcomes(_ chunk: PreparedChunk, inserted: [String: Int64]) throws(StoreError) -> [MessageOutcome] {
        var result: [MessageOutcome] = []
        result.reserveCapacity(chunk.messages.count)
        var seen = Set<String>()
        for m in chunk.messages {
            let first = seen.insert(m.guid).inserted
            if first, let id = inserted[m.guid] {
                result.append(MessageOutcome.make(guid: m.guid, id: id, storedSHA256: m.sha256, offeredSHA256: m.sha256, newlyInserted: true))
                continue
            }
            // The key, not the head: it stays when the head is archived.
            guard let row = try connection.queryOne("SELECT message_id, sha256 FROM message_keys WHERE guid = $1", [.text(m.guid)]) else {
                throw .notFound("message \(m.guid) missing right after insert")
            }
            result.append(MessageOutcome.make(
                guid: m.guid, id: try row.requireInt64(0, "message_keys.message_id"), storedSHA256: try row.requireString(1, "sha256"),
                offeredSHA256: m.sha256, newlyInserted: false))
        }
        return result
    }

    /// `items` in order, in groups of at most `rows` items and, past the first of a group, of at
    /// most `bytes` (by `size`): a statement of raw parts holds a few megabytes at most.
    static func grouped<T>(_ items: [T], rows: Int, bytes: Int, size: (T) -> Int) -> [ArraySlice<T>] {
        var groups: [ArraySlice<T>] = []
        var start = items.startIndex, total = 0
        for i in items.indices {
            let n = size(items[i])
            if i > start && (i - start == rows || total + n > bytes) {
                groups.append(items[start..<i])
                start = i
                total = 0
            }
            total += n
        }
        if start < items.endIndex { groups.append(items[start...]) }
        return groups
    }

    /// `(?, ?, …), (…)` for `rows` tuples of `width` placeholders numbered from 1.
    static func tuples(rows: Int, width: Int) -> String {
        (0..<rows).map { r in "(" + placeholders(width, from: r * width + 1) + ")" }.joined(separator: ", ")
    }
}

extension PreparedMessage {
    /// Offered digest (column 5 of ``BulkColumns/messages``).
    var sha256: String {
        if case .text(let s) = values[5] { return s }
        return ""
    }

    /// Time of arrival, Unix milliseconds (column 4 of ``BulkColumns/messages``).
    var receivedAt: Int64 {
        if case .integer(let t) = values[4] { return t }
        return 0
    }
}

extension PreparedChunk {
    /// The first occurrence of each guid among the chunk's messages, in order: the one stored.
    var firstMessages: [PreparedMessage] {
        var seen = Set<String>()
        return messages.filter { seen.insert($0.guid).inserted }
    }
}

extension MessageOutcome {
    static func make(guid: String, id: Int64, storedSHA256: String, offeredSHA256: String, newlyInserted: Bool) -> MessageOutcome {
        let status: Status = newlyInserted ? .stored : (storedSHA256 == offeredSHA256 ? .duplicate : .guidConflict)
        return MessageOutcome(guid: guid, messageId: id, storedSHA256: storedSHA256, status: status)
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
