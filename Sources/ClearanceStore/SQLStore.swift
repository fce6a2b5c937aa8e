import COpenSSL
import Foundation

/// The ``Store`` implementation shared by both engines. Engine differences live in the
/// ``SessionEngine`` (threads, connections, bulk writer) and the ``SQLDialect``; queries here are
/// written once with `$n` placeholders.
final class SQLStore: Store {
    let engine: StoreEngine
    let sessions: any SessionEngine
    let masker: LockedValue<BuyerIdentityMasker?>

    init(engine sessions: any SessionEngine, configuredSalt: [UInt8]?) throws(StoreError) {
        self.sessions = sessions
        self.engine = sessions.dialect.engine
        self.masker = LockedValue(try configuredSalt.map { salt throws(StoreError) in try BuyerIdentityMasker(salt: salt) })
    }

    func session<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await sessions.withSession(body)
    }

    func write<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> T in
            try s.writeTransaction { () throws(StoreError) -> T in try body(s) }
        }
    }

    // MARK: Migrations

    @discardableResult
    func migrate() async throws(StoreError) -> [Int] {
        let applied = try await session { (s: any SQLSession) throws(StoreError) -> [Int] in try Migrator.run(s) }
        if masker.get() == nil {
            let salt = try await write { (s: any SQLSession) throws(StoreError) -> [UInt8] in try Self.databaseSalt(s) }
            masker.set(try BuyerIdentityMasker(salt: salt))
        }
        return applied
    }

    /// The per-database fallback salt, created on first use.
    private static func databaseSalt(_ s: any SQLSession) throws(StoreError) -> [UInt8] {
        let select = "SELECT value FROM store_settings WHERE key = 'buyer_id_salt'"
        if let row = try s.queryOne(select, []), let hex = row.string(0), let salt = Hex.decode(hex) { return salt }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else { throw .crypto("RAND_bytes failed") }
        try s.execute(
            "INSERT INTO store_settings (key, value) VALUES ('buyer_id_salt', $1) ON CONFLICT (key) DO NOTHING",
            [.text(Hex.encode(bytes))])
        guard let row = try s.queryOne(select, []), let hex = row.string(0), let salt = Hex.decode(hex) else {
            throw .notFound("store_settings.buyer_id_salt")
        }
        return salt
    }

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
                "SELECT id, complete, sha256, sender_code FROM messages WHERE guid = $1", [.text(m.guid)]) {
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
            guard let row = try s.queryOne("""
                INSERT INTO messages (guid, message_type, sender_code, direction, received_at, sha256, raw,
                    signature_verdict, size, complete)
                VALUES ($1, $2, $3, $4, $5, '', $6, $7, NULL, 0)
                RETURNING id
                """, [
                    .text(m.guid), .text(m.messageType), .text(m.senderCode), .text(m.direction.rawValue),
                    .integer(receivedAt), .blob([]), .text(m.signatureVerdict),
                ]) else { throw .notFound("message \(m.guid) missing right after insert") }
            let id = try row.requireInt64(0, "messages.id")
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
                "SELECT id, sender_code FROM messages WHERE guid = $1", [.text(guid)]) else {
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
            if prepared.declarations.isEmpty { return IngestReport() }
            return try s.bulkInsert(prepared)
        }
        report.chunksCommitted = 1
        return report
    }

    func finishStreamedMessage(guid: String, sha256: String, size: Int64, partCount: Int) async throws(StoreError) -> MessageOutcome {
        let digest = sha256.lowercased()
        return try await write { (s: any SQLSession) throws(StoreError) -> MessageOutcome in
            guard let row = try s.queryOne("SELECT id, complete, sha256 FROM messages WHERE guid = $1", [.text(guid)]) else {
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
            return MessageOutcome(guid: guid, messageId: id, storedSHA256: digest, status: .stored)
        }
    }

    // MARK: Messages

    func messageHeader(guid: String) async throws(StoreError) -> (record: MessageRecord, pieces: Int)? {
        try await session { (s: any SQLSession) throws(StoreError) -> (record: MessageRecord, pieces: Int)? in
            guard let r = try s.queryOne("""
                SELECT guid, message_type, sender_code, direction, received_at, sha256, signature_verdict, id, complete,
                    (SELECT COUNT(*) FROM message_parts p WHERE p.message_id = messages.id)
                FROM messages WHERE guid = $1
                """, [.text(guid)]) else { return nil }
            let direction = try r.requireString(3, "direction")
            guard let parsed = MessageDirection(rawValue: direction) else { throw .invalidInput("unknown direction \(direction)") }
            guard r.int(8) == 1 else { throw .notFound("message \(guid) is incomplete: its ingest was interrupted; run it again") }
            let record = MessageRecord(
                guid: try r.requireString(0, "guid"), messageType: try r.requireString(1, "message_type"),
                senderCode: try r.requireString(2, "sender_code"), direction: parsed,
                receivedAt: r.date(4) ?? .distantPast, sha256: try r.requireString(5, "sha256"), rawBytes: [],
                signatureVerdict: try r.requireString(6, "signature_verdict"))
            return (record, 1 + (r.int(9) ?? 0))
        }
    }

    func rawPiece(guid: String, index: Int) async throws(StoreError) -> [UInt8] {
        try await session { (s: any SQLSession) throws(StoreError) -> [UInt8] in
            if index == 0 {
                guard let row = try s.queryOne("SELECT raw FROM messages WHERE guid = $1", [.text(guid)]) else {
                    throw .notFound("message \(guid)")
                }
                return row.bytes(0) ?? []
            }
            guard let row = try s.queryOne("""
                SELECT p.bytes FROM message_parts p JOIN messages m ON m.id = p.message_id
                WHERE m.guid = $1 AND p.part_no = $2
                """, [.text(guid), .integer(Int64(index - 1))]), let bytes = row.bytes(0) else {
                throw .notFound("raw piece \(index) of message \(guid)")
            }
            return bytes
        }
    }

    func message(guid: String) async throws(StoreError) -> MessageRecord? {
        try await session { (s: any SQLSession) throws(StoreError) -> MessageRecord? in
            guard let r = try s.queryOne("""
                SELECT guid, message_type, sender_code, direction, received_at, sha256, raw, signature_verdict,
                    id, complete
                FROM messages WHERE guid = $1
                """, [.text(guid)]) else { return nil }
            let direction = try r.requireString(3, "direction")
            guard let parsed = MessageDirection(rawValue: direction) else { throw .invalidInput("unknown direction \(direction)") }
            guard r.int(9) == 1 else { throw .notFound("message \(guid) is incomplete: its ingest was interrupted; run it again") }
            guard var raw = r.bytes(6) else { throw .notFound("raw bytes of message \(guid)") }
            for part in try s.query(
                "SELECT bytes FROM message_parts WHERE message_id = $1 ORDER BY part_no", [.integer(try r.requireInt64(8, "id"))]) {
                guard let bytes = part.bytes(0) else { throw .notFound("a raw part of message \(guid)") }
                raw += bytes
            }
            return MessageRecord(
                guid: try r.requireString(0, "guid"), messageType: try r.requireString(1, "message_type"),
                senderCode: try r.requireString(2, "sender_code"), direction: parsed,
                receivedAt: r.date(4) ?? .distantPast, sha256: try r.requireString(5, "sha256"), rawBytes: raw,
                signatureVerdict: try r.requireString(7, "signature_verdict"))
        }
    }

    // MARK: Events

    @discardableResult
    func appendEvent(_ event: Event) async throws(StoreError) -> Int64 {
        guard event.messageGuid != nil || event.declarationGuid != nil else {
            throw .invalidInput("an event needs a messageGuid or a declarationGuid")
        }
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> Int64 in
            var messageId: Int64?
            if let guid = event.messageGuid {
                guard let row = try s.queryOne("SELECT id FROM messages WHERE guid = $1", [.text(guid)]) else {
                    throw .notFound("message \(guid)")
                }
                messageId = row.int64(0)
            }
            var declarationId: Int64?
            if let guid = event.declarationGuid {
                guard let row = try s.queryOne(
                    "SELECT id FROM declarations WHERE declaration_guid = $1 ORDER BY id DESC LIMIT 1", [.text(guid)])
                else { throw .notFound("declaration \(guid)") }
                declarationId = row.int64(0)
            }
            if let id = try Self.insertEvent(
                s, kind: event.kind, occurredAt: StoreClock.milliseconds(event.occurredAt), messageId: messageId,
                declarationId: declarationId, receiptId: nil, code: event.code, detail: event.detail,
                dedupKey: event.dedupKey, now: now) {
                return id
            }
            guard let key = event.dedupKey,
                  let row = try s.queryOne("SELECT id FROM events WHERE dedup_key = $1", [.text(key)]) else {
                throw .notFound("event with dedup key \(event.dedupKey ?? "")")
            }
            return try row.requireInt64(0, "events.id")
        }
    }

    /// Inserts an event; returns nil when its dedup key was already used.
    static func insertEvent(
        _ s: any SQLSession, kind: EventKind, occurredAt: Int64, messageId: Int64?, declarationId: Int64?,
        receiptId: Int64?, code: String?, detail: String?, dedupKey: String?, now: Int64
    ) throws(StoreError) -> Int64? {
        try s.queryOne("""
            INSERT INTO events (kind, occurred_at, message_id, declaration_id, receipt_id, code, detail, dedup_key, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id
            """, [
                .text(kind.rawValue), .integer(occurredAt), .optional(messageId), .optional(declarationId),
                .optional(receiptId), .optional(code), .optional(detail), .optional(dedupKey), .integer(now),
            ])?.int64(0)
    }

    // MARK: Trace

    func trace(_ key: TraceKey) async throws(StoreError) -> ShipmentTimeline? {
        try await session { (s: any SQLSession) throws(StoreError) -> ShipmentTimeline? in
            try ShipmentTracer(session: s).trace(key)
        }
    }

    // MARK: Stats

    func stats() async throws(StoreError) -> StoreStats {
        try await session { (s: any SQLSession) throws(StoreError) -> StoreStats in
            let messages = try s.query(
                "SELECT message_type, direction, COUNT(*) FROM messages GROUP BY message_type, direction ORDER BY 1, 2", []
            ).map { (row: SQLRow) throws(StoreError) in
                StoreStats.MessageCount(
                    messageType: try row.requireString(0, "message_type"),
                    direction: MessageDirection(rawValue: try row.requireString(1, "direction")) ?? .inbound,
                    count: row.int(2) ?? 0)
            }
            let declarations = try s.query(
                "SELECT kind, status, COUNT(*) FROM declarations GROUP BY kind, status ORDER BY 1, 2", []
            ).map { (row: SQLRow) throws(StoreError) in
                StoreStats.DeclarationCount(
                    kind: DeclarationKind(rawValue: try row.requireString(0, "kind")),
                    status: try row.requireString(1, "status"), count: row.int(2) ?? 0)
            }
            func count(_ table: String) throws(StoreError) -> Int {
                try s.queryOne("SELECT COUNT(*) FROM \(table)", [])?.int(0) ?? 0
            }
            var outbox = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, 0) })
            for row in try s.query("SELECT status, COUNT(*) FROM outbox GROUP BY status", []) {
                if let status = row.string(0).flatMap(OutboxStatus.init(rawValue:)) { outbox[status] = row.int(1) ?? 0 }
            }
            var stats = StoreStats(
                messages: messages, declarations: declarations, declarationLines: try count("declaration_lines"),
                receipts: try count("receipts"), events: try count("events"), outbox: outbox)
            stats.incompleteMessages = try s.queryOne("SELECT COUNT(*) FROM messages WHERE complete = 0", [])?.int(0) ?? 0
            stats.messageParts = try count("message_parts")
            return stats
        }
    }

    // MARK: Outbox

    static let outboxColumns = """
        o.id, o.message_id, m.guid, o.destination, o.status, o.attempts, o.next_attempt_at, o.last_error,
        o.created_at, o.updated_at
        """

    static func outboxEntry(_ row: SQLRow) throws(StoreError) -> OutboxEntry {
        let status = try row.requireString(4, "outbox.status")
        guard let parsed = OutboxStatus(rawValue: status) else { throw .invalidInput("unknown outbox status \(status)") }
        return OutboxEntry(
            id: try row.requireInt64(0, "outbox.id"), messageId: try row.requireInt64(1, "outbox.message_id"),
            messageGuid: try row.requireString(2, "messages.guid"), destination: try row.requireString(3, "destination"),
            status: parsed, attempts: row.int(5) ?? 0,
            nextAttemptAt: row.date(6) ?? .distantPast, lastError: row.string(7),
            createdAt: row.date(8) ?? .distantPast, updatedAt: row.date(9) ?? .distantPast)
    }

    static func outboxEntries(_ s: any SQLSession, ids: [Int64]) throws(StoreError) -> [OutboxEntry] {
        guard !ids.isEmpty else { return [] }
        return try s.query(
            "SELECT \(outboxColumns) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id IN (\(placeholders(ids.count))) ORDER BY o.next_attempt_at, o.id",
            ids.map { .integer($0) }
        ).map { (row: SQLRow) throws(StoreError) in try outboxEntry(row) }
    }

    @discardableResult
    func enqueueOutbox(messageGuid: String, destination: String, notBefore: Date) async throws(StoreError) -> OutboxEntry {
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> OutboxEntry in
            guard let message = try s.queryOne("SELECT id FROM messages WHERE guid = $1", [.text(messageGuid)]),
                  let messageId = message.int64(0) else { throw .notFound("message \(messageGuid)") }
            if let inserted = try s.queryOne("""
                INSERT INTO outbox (message_id, destination, status, attempts, next_attempt_at, created_at, updated_at)
                VALUES ($1, $2, 'pending', 0, $3, $4, $4)
                ON CONFLICT (message_id, destination) DO NOTHING
                RETURNING id
                """, [.integer(messageId), .text(destination), .time(notBefore), .integer(now)]) {
                _ = try Self.insertEvent(
                    s, kind: .routed, occurredAt: now, messageId: messageId, declarationId: nil, receiptId: nil,
                    code: nil, detail: destination, dedupKey: nil, now: now)
                _ = inserted
            }
            guard let row = try s.queryOne(
                "SELECT \(Self.outboxColumns) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.message_id = $1 AND o.destination = $2",
                [.integer(messageId), .text(destination)]) else { throw .notFound("outbox entry for \(messageGuid)") }
            return try Self.outboxEntry(row)
        }
    }

    func claimOutbox(limit: Int, lease: TimeInterval, now: Date) async throws(StoreError) -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        let nowMs = StoreClock.milliseconds(now)
        let leaseUntil = StoreClock.milliseconds(now.addingTimeInterval(max(lease, 0)))
        return try await write { (s: any SQLSession) throws(StoreError) -> [OutboxEntry] in
            let ids = try s.query("""
                UPDATE outbox SET status = 'in-flight', attempts = attempts + 1, next_attempt_at = $2, updated_at = $1
                WHERE id IN (
                    SELECT id FROM outbox
                    WHERE status IN ('pending', 'in-flight') AND next_attempt_at <= $1
                    ORDER BY next_attempt_at, id
                    LIMIT $3
                    \(s.dialect.skipLocked))
                RETURNING id
                """, [.integer(nowMs), .integer(leaseUntil), .integer(Int64(limit))]
            ).compactMap { $0.int64(0) }
            return try Self.outboxEntries(s, ids: ids)
        }
    }

    func completeOutbox(id: Int64, now: Date) async throws(StoreError) {
        let nowMs = StoreClock.milliseconds(now)
        try await write { (s: any SQLSession) throws(StoreError) in
            if let row = try s.queryOne(
                "UPDATE outbox SET status = 'delivered', updated_at = $2 WHERE id = $1 AND status = 'in-flight' RETURNING message_id, destination",
                [.integer(id), .integer(nowMs)]) {
                _ = try Self.insertEvent(
                    s, kind: .delivered, occurredAt: nowMs, messageId: row.int64(0), declarationId: nil, receiptId: nil,
                    code: nil, detail: row.string(1), dedupKey: nil, now: nowMs)
                return
            }
            let status = try Self.outboxStatus(s, id: id)
            guard status == .delivered else {
                throw .invalidInput("outbox entry \(id) is \(status.rawValue), not in flight")
            }
        }
    }

    @discardableResult
    func failOutbox(id: Int64, error: String, retryAt: Date?, now: Date) async throws(StoreError) -> OutboxEntry {
        let nowMs = StoreClock.milliseconds(now)
        return try await write { (s: any SQLSession) throws(StoreError) -> OutboxEntry in
            let newStatus: OutboxStatus = retryAt == nil ? .dead : .pending
            let changed = try s.execute("""
                UPDATE outbox SET status = $2, next_attempt_at = $3, last_error = $4, updated_at = $5
                WHERE id = $1 AND status = 'in-flight'
                """, [.integer(id), .text(newStatus.rawValue), .integer(retryAt.map(StoreClock.milliseconds) ?? nowMs),
                      .text(error), .integer(nowMs)])
            if changed == 0 {
                let status = try Self.outboxStatus(s, id: id)
                throw .invalidInput("outbox entry \(id) is \(status.rawValue), not in flight")
            }
            guard let entry = try Self.outboxEntries(s, ids: [id]).first else { throw .notFound("outbox entry \(id)") }
            return entry
        }
    }

    private static func outboxStatus(_ s: any SQLSession, id: Int64) throws(StoreError) -> OutboxStatus {
        guard let row = try s.queryOne("SELECT status FROM outbox WHERE id = $1", [.integer(id)]) else {
            throw .notFound("outbox entry \(id)")
        }
        return OutboxStatus(rawValue: try row.requireString(0, "outbox.status")) ?? .dead
    }

    // MARK: Lifecycle

    func close() async {
        await sessions.close()
    }

    // MARK: Test support

    /// The SQL dialect of the engine (tests compare against the migrations it ships).
    var dialect: SQLDialect { sessions.dialect }

    /// Runs a read-only query and returns rows as strings (tests prove properties of the stored data).
    func rawQuery(_ sql: String, _ params: [SQLValue] = []) async throws(StoreError) -> [[String?]] {
        try await session { (s: any SQLSession) throws(StoreError) -> [[String?]] in
            try s.query(sql, params).map { row in (0..<row.values.count).map { row.string($0) } }
        }
    }
}

/// `$start, $start+1, …` placeholders for an IN list.
func placeholders(_ count: Int, from start: Int = 1) -> String {
    (start..<(start + count)).map { "$\($0)" }.joined(separator: ", ")
}

extension SQLStore {
    /// Runs a statement script outside the typed API (tests install failure triggers with it).
    func rawExecute(_ sql: String) async throws(StoreError) {
        try await session { (s: any SQLSession) throws(StoreError) in try s.executeScript(sql) }
    }
}
