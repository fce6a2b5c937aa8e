import COpenSSL
import CEBModel
import Foundation

/// Storing messages and their declarations: whole messages in one transaction per chunk, streamed
/// messages in parts, and reading them back whole or piece by piece.
extension SQLStore {
    // MARK: Ingest

    func ingest(_ items: [IngestItem]) async throws(StoreError) -> IngestReport {
        guard !items.isEmpty else { return IngestReport() }
        guard let masker = masker.get() else { throw .notMigrated }
        let chunk = try PreparedChunk(items: items, masker: masker, now: StoreClock.milliseconds(.now))
        var report = try await write { (s: any SQLSession) throws(StoreError) -> IngestReport in try s.bulkInsert(chunk) }
        report.chunksCommitted = 1
        return report
    }

    // MARK: Streamed messages

    func beginStreamedMessage(_ m: StreamedMessage) async throws(StoreError) -> StreamedMessageStart {
        guard !m.guid.isEmpty else { throw .invalidInput("a streamed message has an empty guid") }
        guard !m.messageType.isEmpty else { throw .invalidInput("streamed message \(m.guid) has no message type") }
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> StreamedMessageStart in
            if let row = try s.queryOne(
                "SELECT id, complete, sha256, sender_code FROM messages WHERE id = \(Self.keyedMessageId)", [.text(m.guid)]) {
                let id = try row.requireInt64(0, "messages.id")
                let sender = try row.requireString(3, "messages.sender_code")
                guard sender == m.senderCode else {
                    throw .invalidInput("message \(m.guid) is stored from sender \(sender), not \(m.senderCode)")
                }
                if row.int(1) == 1 {
                    return StreamedMessageStart(messageId: id, state: .complete, storedSHA256: row.string(2))
                }
                return StreamedMessageStart(messageId: id, state: .resumed, storedSHA256: nil)
            }
            let receivedAt = StoreClock.milliseconds(m.receivedAt)
            // The guid's key, then the head. No key made: the guid is a message's whose head is
            // archived (none was found above), judged by the digest its key keeps.
            guard let key = try s.queryOne("""
                INSERT INTO message_keys (guid) VALUES ($1) ON CONFLICT (guid) DO NOTHING RETURNING message_id
                """, [.text(m.guid)]) else {
                guard let stored = try s.queryOne("SELECT message_id, sha256 FROM message_keys WHERE guid = $1", [.text(m.guid)]),
                      let digest = stored.string(1), !digest.isEmpty else {
                    throw .invalidInput("message \(m.guid) was begun and its head is archived unfinished")
                }
                return StreamedMessageStart(messageId: try stored.requireInt64(0, "message_keys.message_id"), state: .complete,
                                            storedSHA256: digest)
            }
            let id = try key.requireInt64(0, "message_keys.message_id")
            try s.execute("""
                INSERT INTO messages (id, guid, message_type, sender_code, direction, received_at, sha256, raw,
                    signature_verdict, size, complete)
                VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, NULL, 0)
                """, [
                    .integer(id), .text(m.guid), .text(m.messageType), .text(m.senderCode), .text(m.direction.rawValue),
                    .integer(receivedAt), .blob([]), .text(m.signatureVerdict),
                ])
            _ = try Self.insertEvent(
                s, kind: .received, occurredAt: receivedAt, messageId: id, declarationId: nil, receiptId: nil,
                code: nil, detail: nil, dedupKey: nil, now: now)
            return StreamedMessageStart(messageId: id, state: .new, storedSHA256: nil)
        }
    }

    func ingestStreamedChunk(_ chunk: StreamedChunk) async throws(StoreError) -> IngestReport {
        guard let masker = masker.get() else { throw .notMigrated }
        for (i, part) in chunk.parts.enumerated() where part.index < 0 || (i > 0 && part.index <= chunk.parts[i - 1].index) {
            throw .invalidInput("streamed message \(chunk.messageGuid): part numbers must be non-negative and increasing")
        }
        let prepared = try PreparedChunk(streamed: chunk, masker: masker, now: StoreClock.milliseconds(.now))
        let (guid, sender, parts) = (chunk.messageGuid, chunk.senderCode, chunk.parts)
        var report = try await write { (s: any SQLSession) throws(StoreError) -> IngestReport in
            guard let row = try s.queryOne(
                "SELECT id, sender_code FROM messages WHERE id = \(Self.keyedMessageId)", [.text(guid)]) else {
                throw .notFound("streamed message \(guid) is not begun; call beginStreamedMessage first")
            }
            guard row.string(1) == sender else {
                throw .invalidInput("streamed message \(guid) is stored from sender \(row.string(1) ?? ""), not \(sender)")
            }
            if s.dialect == .postgresql {
                // A chunk need not wait for its WAL flush: the message stays incomplete until the
                // (synchronous) finish, WAL order means a durable finish implies durable chunks, and
                // a chunk lost to a server crash is rewritten by the re-run that completes the message.
                try s.execute("SET LOCAL synchronous_commit = off", [])
            }
            try s.writeParts(messageId: try row.requireInt64(0, "messages.id"), parts: parts)
            if prepared.declarations.isEmpty && prepared.lines.isEmpty { return IngestReport() }
            return try s.bulkInsert(prepared)
        }
        report.chunksCommitted = 1
        return report
    }

    func finishStreamedMessage(guid: String, sha256: String, size: Int64, partCount: Int) async throws(StoreError) -> MessageOutcome {
        let digest = sha256.lowercased()
        return try await write { (s: any SQLSession) throws(StoreError) -> MessageOutcome in
            guard let row = try s.queryOne("SELECT id, complete, sha256 FROM messages WHERE id = \(Self.keyedMessageId)", [.text(guid)]) else {
                throw .notFound("streamed message \(guid) is not begun")
            }
            let id = try row.requireInt64(0, "messages.id")
            if row.int(1) == 1 {
                let stored = try row.requireString(2, "messages.sha256")
                return MessageOutcome.make(guid: guid, id: id, storedSHA256: stored, offeredSHA256: digest, newlyInserted: false)
            }
            try s.execute("DELETE FROM message_parts WHERE message_id = $1 AND part_no >= $2",
                          [.integer(id), .integer(Int64(partCount))])
            let stored = try s.queryOne("SELECT COUNT(*) FROM message_parts WHERE message_id = $1", [.integer(id)])?.int(0) ?? 0
            guard stored == partCount else {
                throw .invalidInput("streamed message \(guid) has \(stored) of its \(partCount) parts stored")
            }
            try s.execute("UPDATE messages SET sha256 = $1, size = $2, complete = 1 WHERE id = $3",
                          [.text(digest), .integer(size), .integer(id)])
            try s.execute("UPDATE message_keys SET sha256 = $1 WHERE guid = $2", [.text(digest), .text(guid)])
            return MessageOutcome(guid: guid, messageId: id, storedSHA256: digest, status: .stored)
        }
    }

    // MARK: Messages

    /// The id of the message whose guid is `$1`, by its key: a head is found by its id, which picks
    /// its partition (heads have no index on their guid).
    static let keyedMessageId = "(SELECT message_id FROM message_keys WHERE guid = $1)"

    func messageHeader(guid: String) async throws(StoreError) -> (record: MessageRecord, pieces: Int)? {
        try await session { (s: any SQLSession) throws(StoreError) -> (record: MessageRecord, pieces: Int)? in
            // A key look-up (each release and forward asks it): planned once per connection.
            guard let r = try s.lookup("""
                SELECT guid, message_type, sender_code, direction, received_at, sha256, signature_verdict, id, complete,
                    (SELECT COUNT(*) FROM message_parts p WHERE p.message_id = messages.id), size, length(raw)
                FROM messages WHERE id = \(Self.keyedMessageId)
                """, [.text(guid)]).first else { try Self.throwIfHeadArchived(s, guid: guid); return nil }
            let direction = try r.requireString(3, "direction")
            guard let parsed = MessageDirection(rawValue: direction) else { throw .invalidInput("unknown direction \(direction)") }
            guard r.int(8) == 1 else { throw .notFound("message \(guid) is incomplete: its ingest was interrupted; run it again") }
            let record = MessageRecord(
                guid: try r.requireString(0, "guid"), messageType: try r.requireString(1, "message_type"),
                senderCode: try r.requireString(2, "sender_code"), direction: parsed,
                receivedAt: r.date(4) ?? .distantPast, sha256: try r.requireString(5, "sha256"), rawBytes: [],
                signatureVerdict: try r.requireString(6, "signature_verdict"))
            var pieces = 1 + (r.int(9) ?? 0)
            // Pieces archived with their partition still count, so that reading them says "archived".
            if pieces == 1, let size = r.int64(10), let first = r.int64(11), size > first,
               try Self.archivedPartition(s, table: .messageParts, key: try r.requireInt64(7, "id")) != nil {
                pieces = 2
            }
            return (record, pieces)
        }
    }

    func rawPiece(guid: String, index: Int) async throws(StoreError) -> [UInt8] {
        try await session { (s: any SQLSession) throws(StoreError) -> [UInt8] in
            if index == 0 {
                guard let row = try s.lookupOne("SELECT raw FROM messages WHERE id = \(Self.keyedMessageId)", [.text(guid)]) else {
                    try Self.throwIfHeadArchived(s, guid: guid)
                    throw .notFound("message \(guid)")
                }
                return row.bytes(0) ?? []
            }
            // One key look-up for the head and its part (a release reads a single message's bytes
            // here: piece 1, part 0); its cached plan probes only the partition holding the part.
            guard let row = try s.lookupOne("""
                SELECT m.id, (SELECT p.bytes FROM message_parts p WHERE p.message_id = m.id AND p.part_no = $2)
                FROM messages m WHERE m.id = \(Self.keyedMessageId)
                """, [.text(guid), .integer(Int64(index - 1))]) else {
                try Self.throwIfHeadArchived(s, guid: guid)
                throw .notFound("message \(guid)")
            }
            guard let bytes = row.bytes(1) else {
                try Self.throwIfArchived(s, guid: guid, id: try row.requireInt64(0, "messages.id"))
                throw .notFound("raw piece \(index) of message \(guid)")
            }
            return bytes
        }
    }

    func message(guid: String) async throws(StoreError) -> MessageRecord? {
        try await session { (s: any SQLSession) throws(StoreError) -> MessageRecord? in
            guard let row = try s.lookupOne("SELECT \(Self.messageHeadColumns) FROM messages WHERE id = \(Self.keyedMessageId)",
                                            [.text(guid)]) else {
                try Self.throwIfHeadArchived(s, guid: guid)
                return nil
            }
            return try Self.message(fromHead: row, s)
        }
    }

    func messages(guids: [String], maxBytes: Int) async throws(StoreError) -> [String: MessageRecord] {
        guard !guids.isEmpty else { return [:] }
        let distinct = Array(Set(guids)).sorted()
        return try await session { (s: any SQLSession) throws(StoreError) -> [String: MessageRecord] in
            var found: [String: MessageRecord] = [:]
            for slice in distinct.chunked(128) {
                let keys = paddedKeys(Array(slice))
                // `size` is the whole message's length and the head holds it all below one part:
                // nothing but these rows to read. Incomplete messages are left to `message(guid:)`,
                // which says why. Each key's head by its id: on PostgreSQL a `LATERAL … OFFSET 0` keeps
                // the probe a probe (as a plain join, the worker's cached plan, made while the tables were
                // small, walked a whole partition of heads per read: 18 ms against 0.5); SQLite has no
                // `LATERAL` and always loops over the keys.
                let heads = s.dialect == .postgresql
                    ? "CROSS JOIN LATERAL (SELECT * FROM messages WHERE messages.id = k.message_id AND size <= $1 AND complete = 1 OFFSET 0) messages"
                    : "JOIN messages ON messages.id = k.message_id AND messages.size <= $1 AND messages.complete = 1"
                for row in try s.lookup("""
                    SELECT \(Self.messageHeadColumns) FROM message_keys k \(heads)
                    WHERE k.guid IN (\(placeholders(keys.count, from: 2)))
                    """, [.integer(Int64(maxBytes))] + keys) {
                    let message = try Self.message(fromHead: row, s)
                    found[message.guid] = message
                }
            }
            return found
        }
    }

    /// The columns of a message head that ``message(fromHead:_:)`` reads, with its first raw part
    /// (a single message's bytes whole: the head's own `raw` is empty since 7 Dec, see
    /// ``PreparedMessage/parts``), so a whole single message is one statement.
    static let messageHeadColumns = """
        messages.guid, messages.message_type, messages.sender_code, messages.direction, messages.received_at,
        messages.sha256, messages.raw, messages.signature_verdict, messages.id, messages.complete, messages.size,
        (SELECT p.bytes FROM message_parts p WHERE p.message_id = messages.id AND p.part_no = 0)
        """

    /// A whole stored message from its head row (``messageHeadColumns``): the bytes the head holds
    /// (none but in rows stored before 7 Dec), then its parts in order.
    static func message(fromHead r: SQLRow, _ s: any SQLSession) throws(StoreError) -> MessageRecord {
        let guid = try r.requireString(0, "guid")
        let direction = try r.requireString(3, "direction")
        guard let parsed = MessageDirection(rawValue: direction) else { throw .invalidInput("unknown direction \(direction)") }
        guard r.int(9) == 1 else { throw .notFound("message \(guid) is incomplete: its ingest was interrupted; run it again") }
        guard var raw = r.bytes(6) else { throw .notFound("raw bytes of message \(guid)") }
        let first = r.bytes(11)
        raw += first ?? []
        // `size` is the whole message's length: when the head and the first part hold all of it
        // there is nothing more to ask for (every single message).
        if let size = r.int64(10), size == Int64(raw.count) { return try Self.messageRecord(r, direction: parsed, raw: raw) }
        let id = try r.requireInt64(8, "id")
        for part in try s.query("SELECT bytes FROM message_parts WHERE message_id = $1 AND part_no >= $2 ORDER BY part_no",
                                [.integer(id), .integer(first == nil ? 0 : 1)]) {
            guard let bytes = part.bytes(0) else { throw .notFound("a raw part of message \(guid)") }
            raw += bytes
        }
        if let size = r.int64(10), size != Int64(raw.count) {
            try Self.throwIfArchived(s, guid: guid, id: id)
            throw .notFound("raw parts of message \(guid): \(raw.count) of its \(size) bytes are stored")
        }
        return try Self.messageRecord(r, direction: parsed, raw: raw)
    }

    /// Throws ``StoreError/archived(_:)`` when the head of the message whose guid is `guid` was
    /// detached under the retention setting (its key stays): the answer to a read that finds no head.
    static func throwIfHeadArchived(_ s: any SQLSession, guid: String) throws(StoreError) {
        guard s.dialect == .postgresql,
              let id = try s.queryOne("SELECT message_id FROM message_keys WHERE guid = $1", [.text(guid)])?.int64(0),
              let partition = try archivedPartition(s, table: .messages, key: id) else { return }
        let when = partition.detachedAt.map { " on \(ChinaTime.isoTime($0))" } ?? ""
        throw .archived("message \(guid) was archived with partition \(partition.name)\(when)")
    }

    /// Throws ``StoreError/archived(_:)`` when message `id`'s raw parts were detached under the
    /// retention setting: the answer to a read that finds them missing.
    static func throwIfArchived(_ s: any SQLSession, guid: String, id: Int64) throws(StoreError) {
        guard let partition = try archivedPartition(s, table: .messageParts, key: id) else { return }
        let when = partition.detachedAt.map { " on \(ChinaTime.isoTime($0))" } ?? ""
        throw .archived("the raw bytes of message \(guid) were archived with partition \(partition.name)\(when)")
    }

    private static func messageRecord(_ r: SQLRow, direction: MessageDirection, raw: [UInt8]) throws(StoreError) -> MessageRecord {
        MessageRecord(
            guid: try r.requireString(0, "guid"), messageType: try r.requireString(1, "message_type"),
            senderCode: try r.requireString(2, "sender_code"), direction: direction,
            receivedAt: r.date(4) ?? .distantPast, sha256: try r.requireString(5, "sha256"), rawBytes: raw,
            signatureVerdict: try r.requireString(7, "signature_verdict"))
    }
}
