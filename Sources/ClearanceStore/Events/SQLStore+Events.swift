import COpenSSL
import Foundation

/// The append-only timeline.
extension SQLStore {
    // MARK: Events

    @discardableResult
    func appendEvent(_ event: Event) async throws(StoreError) -> Int64 {
        guard event.messageGuid != nil || event.declarationGuid != nil else {
            throw .invalidInput("an event needs a messageGuid or a declarationGuid")
        }
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> Int64 in
            if let id = try Self.insertEvent(s, event, now: now) { return id }
            guard let key = event.dedupKey,
                  let row = try s.queryOne("SELECT id FROM events WHERE dedup_key = $1", [.text(key)]) else {
                throw .notFound("event with dedup key \(event.dedupKey ?? "")")
            }
            return try row.requireInt64(0, "events.id")
        }
    }

    /// Inserts an event, resolving its message and declaration by guid; returns nil when its
    /// dedup key was already used.
    /// - Parameter knownMessage: a message whose id the caller already has (no look-up for it).
    @discardableResult
    static func insertEvent(
        _ s: any SQLSession, _ event: Event, now: Int64, knownMessage: (guid: String, id: Int64)? = nil
    ) throws(StoreError) -> Int64? {
        let r = try eventRow(s, event, knownMessage: knownMessage)
        return try insertEvent(
            s, kind: r.kind, occurredAt: r.occurredAt, messageId: r.messageId, declarationId: r.declarationId,
            receiptId: nil, code: r.code, detail: r.detail, dedupKey: r.dedupKey, now: now)
    }

    /// An event's row with its message and declaration resolved by guid (`knownMessage` needs no look-up).
    static func eventRow(
        _ s: any SQLSession, _ event: Event, knownMessage: (guid: String, id: Int64)? = nil
    ) throws(StoreError) -> EventRow {
        try eventRows(s, [event], knownMessages: knownMessage.map { [$0.guid: $0.id] } ?? [:])[0]
    }

    /// The row ids of the stored messages `guids` (those stored), with `known` (guid → id) and no
    /// look-up for those: one statement per 500 guids.
    static func messageIds(_ s: any SQLSession, guids: [String], known: [String: Int64] = [:]) throws(StoreError) -> [String: Int64] {
        var ids = known
        for group in Set(guids).subtracting(known.keys).sorted().chunked(500) {
            for row in try s.query("SELECT guid, message_id FROM message_keys WHERE guid IN (\(placeholders(group.count)))", group.map { .text($0) }) {
                ids[try row.requireString(0, "messages.guid")] = try row.requireInt64(1, "messages.id")
            }
        }
        return ids
    }

    /// The rows of `events`, their messages and declarations resolved by guid in one statement each
    /// (not one look-up per event): `knownMessages` and `knownDeclarations` (guid → id) need none. A
    /// declaration guid names its newest declaration (a guid refused and sent again names the resend).
    static func eventRows(
        _ s: any SQLSession, _ events: [Event], knownMessages: [String: Int64] = [:], knownDeclarations: [String: Int64] = [:]
    ) throws(StoreError) -> [EventRow] {
        let messages = try messageIds(s, guids: events.compactMap(\.messageGuid), known: knownMessages)
        var declarations = knownDeclarations
        let unknownDeclarations = Set(events.compactMap(\.declarationGuid)).subtracting(declarations.keys).sorted()
        for group in unknownDeclarations.chunked(500) {
            for row in try s.query("""
                SELECT k.declaration_guid, MAX(k.declaration_id) FROM declaration_keys k \(s.dialect.declarationsByKey)
                WHERE k.declaration_guid IN (\(placeholders(group.count)))
                GROUP BY k.declaration_guid
                """, group.map { .text($0) }) {
                declarations[try row.requireString(0, "declarations.declaration_guid")] = try row.requireInt64(1, "declarations.id")
            }
        }
        return try events.map { event throws(StoreError) -> EventRow in
            var messageId: Int64?, declarationId: Int64?
            if let guid = event.messageGuid {
                guard let id = messages[guid] else { throw .notFound("message \(guid)") }
                messageId = id
            }
            if let guid = event.declarationGuid {
                guard let id = declarations[guid] else { throw .notFound("declaration \(guid)") }
                declarationId = id
            }
            guard messageId != nil || declarationId != nil else { throw .invalidInput("an event needs a messageGuid or a declarationGuid") }
            return EventRow(kind: event.kind, occurredAt: StoreClock.milliseconds(event.occurredAt), messageId: messageId,
                            declarationId: declarationId, code: event.code, detail: event.detail, dedupKey: event.dedupKey)
        }
    }

    /// Inserts resolved events with multi-row statements (group commit: many messages' events
    /// in a few statements); a row whose dedup key is already used is skipped.
    static func insertEvents(_ s: any SQLSession, _ rows: [EventRow], now: Int64) throws(StoreError) {
        let fresh = try claimDedupKeys(s, rows.compactMap(\.dedupKey))
        var seen = Set<String>()
        let kept = rows.filter { row in row.dedupKey.map { fresh.contains($0) && seen.insert($0).inserted } ?? true }
        for group in kept.chunked(RowInsertWriter.linesPerStatement) {
            try s.execute("""
                INSERT INTO events (kind, occurred_at, message_id, declaration_id, receipt_id, code, detail, dedup_key, recorded_at)
                VALUES \(RowInsertWriter.tuples(rows: group.count, width: 9))
                """, group.flatMap { r -> [SQLValue] in [
                    .text(r.kind.rawValue), .integer(r.occurredAt), .optional(r.messageId), .optional(r.declarationId),
                    .null, .optional(r.code), .optional(r.detail), .optional(r.dedupKey), .integer(now),
                ] })
        }
    }

    /// Inserts an event; returns nil when its dedup key was already used.
    static func insertEvent(
        _ s: any SQLSession, kind: EventKind, occurredAt: Int64, messageId: Int64?, declarationId: Int64?,
        receiptId: Int64?, code: String?, detail: String?, dedupKey: String?, now: Int64
    ) throws(StoreError) -> Int64? {
        if let dedupKey, try claimDedupKeys(s, [dedupKey]).isEmpty { return nil }
        return try s.queryOne("""
            INSERT INTO events (kind, occurred_at, message_id, declaration_id, receipt_id, code, detail, dedup_key, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            RETURNING id
            """, [
                .text(kind.rawValue), .integer(occurredAt), .optional(messageId), .optional(declarationId),
                .optional(receiptId), .optional(code), .optional(detail), .optional(dedupKey), .integer(now),
            ])?.int64(0)
    }

    /// Records these dedup keys in `event_keys` and returns the ones not used before: their events
    /// may be inserted, the others are repeats. The keys live in a table of their own because
    /// PostgreSQL's events are partitioned by id, and a unique key on a partitioned table must hold
    /// the partition column: a key used years ago, in a detached partition, still counts.
    /// A concurrent transaction inserting the same key waits for this one and finds it used.
    static func claimDedupKeys(_ s: any SQLSession, _ keys: [String]) throws(StoreError) -> Set<String> {
        var fresh = Set<String>()
        for group in Array(Set(keys)).sorted().chunked(RowInsertWriter.linesPerStatement) {
            for row in try s.query("""
                INSERT INTO event_keys (dedup_key) VALUES \(RowInsertWriter.tuples(rows: group.count, width: 1))
                ON CONFLICT (dedup_key) DO NOTHING RETURNING dedup_key
                """, group.map { .text($0) }) {
                if let key = row.string(0) { fresh.insert(key) }
            }
        }
        return fresh
    }
}
