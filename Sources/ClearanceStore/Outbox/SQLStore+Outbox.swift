import COpenSSL
import Foundation

/// The durable outbox: queue, claim (plain and in shipment order), complete, fail, replay.
extension SQLStore {
    // MARK: Outbox

    static let outboxColumns = """
        o.id, o.message_id, m.guid, o.destination, o.status, o.attempts, o.next_attempt_at, o.last_error,
        o.created_at, o.updated_at, o.part_no, o.part_count, o.part_plan, o.payment_request_id
        """

    static func outboxEntry(_ row: SQLRow) throws(StoreError) -> OutboxEntry {
        let status = try row.requireString(4, "outbox.status")
        guard let parsed = OutboxStatus(rawValue: status) else { throw .invalidInput("unknown outbox status \(status)") }
        return OutboxEntry(
            id: try row.requireInt64(0, "outbox.id"), messageId: try row.requireInt64(1, "outbox.message_id"),
            messageGuid: try row.requireString(2, "messages.guid"), destination: try row.requireString(3, "destination"),
            status: parsed, attempts: row.int(5) ?? 0,
            nextAttemptAt: row.date(6) ?? .distantPast, lastError: row.string(7),
            createdAt: row.date(8) ?? .distantPast, updatedAt: row.date(9) ?? .distantPast,
            part: try outboxPart(row, at: 10), paymentRequestId: row.int64(13))
    }

    /// The part columns (`part_no`, `part_count`, `part_plan`) starting at `index`: nil for a row
    /// that delivers its whole message (part 0).
    static func outboxPart(_ row: SQLRow, at index: Int) throws(StoreError) -> OutboxPart? {
        let number = row.int(index) ?? 0
        guard number > 0 else { return nil }
        guard let plan = row.string(index + 2) else { throw .invalidInput("outbox part \(number) has no plan") }
        return OutboxPart(number: number, count: row.int(index + 1) ?? 0, plan: plan)
    }

    /// What the timeline says about a row's destination: the name, and the part when there is one.
    static func outboxDetail(destination: String?, partNo: Int?, partCount: Int?) -> String? {
        guard let destination, let partNo, partNo > 0 else { return destination }
        return "\(destination) (part \(partNo) of \(partCount ?? 0))"
    }

    /// The rows with these ids, due first. Sorted here, not by SQL: the claim reads them under
    /// ``SQLDialect/orderedWalkOnly``, where an `ORDER BY` walks the whole due index.
    /// - Parameter messageIds: their messages' ids when known: on PostgreSQL, where the outbox is
    ///   partitioned by them, the read then looks in those messages' partitions only.
    static func outboxEntries(_ s: any SQLSession, ids: [Int64], messageIds: [Int64] = []) throws(StoreError) -> [OutboxEntry] {
        guard !ids.isEmpty else { return [] }
        let (ids, messages) = paddedAlike(ids, Array(Set(messageIds)))
        let inMessages = messages.isEmpty ? "" : " AND o.message_id IN (\(placeholders(messages.count, from: ids.count + 1)))"
        return try s.query(
            "SELECT \(outboxColumns) FROM outbox o JOIN message_keys m ON m.message_id = o.message_id WHERE o.id IN (\(placeholders(ids.count)))\(inMessages)",
            (ids + messages).map { .integer($0) }
        ).map { (row: SQLRow) throws(StoreError) in try outboxEntry(row) }
            .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    /// `ids` and `messages` (as many or fewer) padded to the same power of two
    /// (``paddedToPowerOfTwo(_:)``; none when `messages` is empty): a statement naming both is
    /// prepared in at most eight shapes per connection, each planned over every outbox partition
    /// (15–28 ms a plan with 26 partitions, where a shape per pair of sizes made dozens).
    static func paddedAlike(_ ids: [Int64], _ messages: [Int64]) -> (ids: [Int64], messages: [Int64]) {
        let padded = paddedToPowerOfTwo(ids)
        guard let first = messages.first else { return (padded, []) }
        return (padded, messages + Array(repeating: first, count: max(padded.count - messages.count, 0)))
    }

    @discardableResult
    func enqueueOutbox(messageGuid: String, destination: String, notBefore: Date) async throws(StoreError) -> OutboxEntry {
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> OutboxEntry in
            guard let message = try s.queryOne("SELECT message_id FROM message_keys WHERE guid = $1", [.text(messageGuid)]),
                  let messageId = message.int64(0) else { throw .notFound("message \(messageGuid)") }
            if let inserted = try s.queryOne("""
                INSERT INTO outbox (message_id, destination, status, attempts, next_attempt_at, created_at, updated_at)
                VALUES ($1, $2, 'pending', 0, $3, $4, $4)
                ON CONFLICT (message_id, destination, part_no) DO NOTHING
                RETURNING id
                """, [.integer(messageId), .text(destination), .time(notBefore), .integer(now)]) {
                _ = try Self.insertEvent(
                    s, kind: .routed, occurredAt: now, messageId: messageId, declarationId: nil, receiptId: nil,
                    code: nil, detail: destination, dedupKey: nil, now: now)
                _ = inserted
                s.queuedOutbox = true
            }
            guard let row = try s.queryOne(
                "SELECT \(Self.outboxColumns) FROM outbox o JOIN message_keys m ON m.message_id = o.message_id WHERE o.message_id = $1 AND o.destination = $2 AND o.part_no = 0",
                [.integer(messageId), .text(destination)]) else { throw .notFound("outbox entry for \(messageGuid)") }
            return try Self.outboxEntry(row)
        }
    }

    func claimOutbox(limit: Int, lease: TimeInterval, now: Date) async throws(StoreError) -> [OutboxEntry] {
        try await claim(limit: limit, lease: lease, now: now, extraCondition: { _ in "" })
    }

    /// The claim: leases the due rows ($1 now, $2 the lease's end, $3 at most) and returns their ids
    /// and messages. Each row is updated by message and id: PostgreSQL's outbox is partitioned by
    /// message, so the update finds each row in its own partition, not by id in every one
    /// (`PartitionTests` checks the plan). On PostgreSQL `$4` is the ``unfinishedFloorSQL`` floor:
    /// candidates (and `extraCondition`'s probes, which name it too) are looked for only in the
    /// partitions from it on.
    static func claimStatement(_ dialect: SQLDialect, extraCondition: String = "") -> String {
        let floored = dialect == .postgresql ? " AND o.message_id >= $4" : ""
        return """
            UPDATE outbox SET status = 'in-flight', attempts = attempts + 1, next_attempt_at = $2, updated_at = $1
            WHERE (message_id, id) IN (
                SELECT o.message_id, o.id FROM outbox o
                WHERE o.status IN ('pending', 'in-flight') AND o.next_attempt_at <= $1\(floored) \(extraCondition)
                ORDER BY o.next_attempt_at, o.id
                LIMIT $3
                \(dialect.skipLocked))
            RETURNING id, message_id
            """
    }

    /// PostgreSQL: the message id of the oldest unfinished (pending or in-flight) row, the floor below
    /// which a claim has nothing to look at: the claim, its shipment-order probes and the chains
    /// after it prune every partition below it (migration 84's partial index; the partitions are
    /// ranges of message ids, so the walk stops in the first that has one). Without it each claimed
    /// row's chain probed every partition: with 25 outbox partitions a round's chain read took 40 ms
    /// (a generic plan walking every unfinished row) and the flow ran at 458 against 661 msg/s.
    /// A row made pending again below the floor while a claim runs (ops replaying an old delivery)
    /// is seen by the next claim, not this one. `$1` is 1: a statement with a parameter is prepared,
    /// and planned once per connection (planning it reads every partition: 3 ms with 26).
    static let unfinishedFloorSQL =
        "SELECT message_id FROM outbox WHERE (status || '') IN ('pending', 'in-flight') ORDER BY message_id LIMIT $1"

    /// Leases up to `limit` due rows (pending, or in flight with an expired lease) that also meet
    /// `extraCondition` (SQL over the candidate row `o`), oldest due first, rows locked by another
    /// claimer skipped; returns them.
    /// `then` runs in the claim's transaction on the rows claimed (the claim in shipment order puts
    /// back those that would overtake a row of their shipment outside the claim).
    /// `extraCondition` is SQL for the dialect; `then` gets the claimed rows and, on PostgreSQL, the
    /// ``unfinishedFloorSQL`` floor the claim used.
    private func claim(
        limit: Int, lease: TimeInterval, now: Date, extraCondition: @escaping @Sendable (SQLDialect) -> String,
        then: @escaping @Sendable ([OutboxEntry], any SQLSession, Int64?) throws(StoreError) -> [OutboxEntry] = { rows, _, _ in rows }
    ) async throws(StoreError) -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        let nowMs = StoreClock.milliseconds(now)
        let leaseUntil = StoreClock.milliseconds(now.addingTimeInterval(max(lease, 0)))
        return try await write { (s: any SQLSession) throws(StoreError) -> [OutboxEntry] in
            var params: [SQLValue] = [.integer(nowMs), .integer(leaseUntil), .integer(Int64(limit))]
            var floor: Int64?
            if let settings = s.dialect.orderedWalkOnly {
                _ = try s.query(settings, [])
                guard let oldest = try s.queryOne(Self.unfinishedFloorSQL, [.integer(1)])?.int64(0) else { return [] }
                floor = oldest
                params.append(.integer(oldest))
            }
            let claimed = try s.query(Self.claimStatement(s.dialect, extraCondition: extraCondition(s.dialect)), params)
            let rows = try Self.outboxEntries(s, ids: claimed.compactMap { $0.int64(0) }, messageIds: claimed.compactMap { $0.int64(1) })
            return try then(rows, s, floor)
        }
    }

    func releaseOutbox(ids: [Int64], messageIds: [Int64], now: Date) async throws(StoreError) {
        guard !ids.isEmpty else { return }
        let nowMs = StoreClock.milliseconds(now)
        try await write { (s: any SQLSession) throws(StoreError) in
            try Self.release(s, ids: ids, messageIds: messageIds, now: nowMs)
        }
    }

    /// In-flight rows back to pending, due `now`, their attempt not counted.
    static func release(_ s: any SQLSession, ids: [Int64], messageIds: [Int64], now: Int64) throws(StoreError) {
        let messages = Array(Set(messageIds)).sorted()
        for chunk in Array(Set(ids)).sorted().chunked(RowInsertWriter.linesPerStatement) {
            try s.execute("""
                UPDATE outbox SET status = 'pending', attempts = attempts - 1, next_attempt_at = $1, updated_at = $1
                WHERE id IN (\(placeholders(chunk.count, from: 2))) AND message_id IN (\(placeholders(messages.count, from: chunk.count + 2)))
                  AND status = 'in-flight'
                """, [.integer(now)] + (chunk + messages).map { .integer($0) })
        }
    }

    func completeOutbox(ids: [Int64], messageIds: [Int64], now: Date) async throws(StoreError) -> [Int64: OutboxStatus] {
        guard !ids.isEmpty else { return [:] }
        let nowMs = StoreClock.milliseconds(now)
        let messages = Array(Set(messageIds)).sorted()
        return try await write { (s: any SQLSession) throws(StoreError) -> [Int64: OutboxStatus] in
            var stale: [Int64: OutboxStatus] = [:]
            for chunk in Array(Set(ids)).sorted().chunked(RowInsertWriter.linesPerStatement) {
                let inMessages = messages.isEmpty ? ""
                    : " AND message_id IN (\(placeholders(messages.count, from: chunk.count + 2)))"
                let done = try s.query(
                    """
                    UPDATE outbox SET status = 'delivered', updated_at = $1 WHERE id IN (\(placeholders(chunk.count, from: 2)))\(inMessages) AND status = 'in-flight'
                    RETURNING id, message_id, destination, part_no, part_count
                    """, [.integer(nowMs)] + (chunk + messages).map { .integer($0) })
                try Self.insertEvents(s, done.map { row in
                    EventRow(kind: .delivered, occurredAt: nowMs, messageId: row.int64(1), declarationId: nil, code: nil,
                             detail: Self.outboxDetail(destination: row.string(2), partNo: row.int(3), partCount: row.int(4)),
                             dedupKey: nil)
                }, now: nowMs)
                let completed = Set(done.compactMap { $0.int64(0) })
                let others = chunk.filter { !completed.contains($0) }
                guard !others.isEmpty else { continue }
                var found: [Int64: OutboxStatus] = [:]
                for row in try s.query(
                    "SELECT id, status FROM outbox WHERE id IN (\(placeholders(others.count)))",
                    others.map { .integer($0) }) {
                    if let id = row.int64(0) { found[id] = OutboxStatus(rawValue: row.string(1) ?? "") ?? .dead }
                }
                for id in others {
                    // Delivered already (a repeated completion) is what the caller wanted; anything else is stale.
                    guard let status = found[id] else { throw .notFound("outbox entry \(id)") }
                    if status != .delivered { stale[id] = status }
                }
            }
            return stale
        }
    }

    @discardableResult
    func failOutbox(id: Int64, messageId: Int64?, error: String, retryAt: Date?, now: Date) async throws(StoreError) -> OutboxEntry {
        let nowMs = StoreClock.milliseconds(now)
        let messageIds = messageId.map { [$0] } ?? []
        return try await write { (s: any SQLSession) throws(StoreError) -> OutboxEntry in
            let newStatus: OutboxStatus = retryAt == nil ? .dead : .pending
            let changed = try s.execute("""
                UPDATE outbox SET status = $2, next_attempt_at = $3, last_error = $4, updated_at = $5
                WHERE id = $1 AND status = 'in-flight'\(messageId == nil ? "" : " AND message_id = $6")
                """, [.integer(id), .text(newStatus.rawValue), .integer(retryAt.map(StoreClock.milliseconds) ?? nowMs),
                      .text(error), .integer(nowMs)] + messageIds.map { .integer($0) })
            guard let entry = try Self.outboxEntries(s, ids: [id], messageIds: messageIds).first else { throw .notFound("outbox entry \(id)") }
            guard changed == 1 else { throw .invalidInput("outbox entry \(id) is \(entry.status.rawValue), not in flight") }
            return entry
        }
    }

    // MARK: Claims in shipment order, listing and replay (the clearance flow's)

    func claimOutboxInShipmentOrder(limit: Int, lease: TimeInterval, now: Date) async throws(StoreError) -> [OutboxEntry] {
        // Two NOT EXISTS, one per shipment key, so each is an index (or hash) look-up on
        // (destination, key); one NOT EXISTS with an OR between the keys joins every pending
        // row with every other (1.8 s per claim at 6,000 pending rows). An earlier row that is
        // pending and due does not hold a row back here: it is a candidate of this claim too, and
        // whether it was claimed is checked after (``ShipmentChains``).
        let nowMs = StoreClock.milliseconds(now)
        return try await claim(limit: limit, lease: lease, now: now, extraCondition: Self.shipmentOrderCondition) {
            (rows, s, floor) throws(StoreError) -> [OutboxEntry] in
            try Self.inShipmentOrder(rows, now: nowMs, floor: floor, s)
        }
    }

    /// The claim in shipment order's condition on a candidate `o` (``claimStatement(_:extraCondition:)``):
    /// no earlier row of its shipment is in flight or pending and not yet due, one `NOT EXISTS` per
    /// key; on PostgreSQL from the claim's floor (`$4`) on.
    static func shipmentOrderCondition(_ dialect: SQLDialect) -> String {
        let floored = dialect == .postgresql ? " AND p.message_id >= $4" : ""
        return ["order_key", "logistics_key"].map { column in
            """
            AND NOT EXISTS (
                SELECT 1 FROM outbox p
                WHERE o.\(column) IS NOT NULL AND p.destination = o.destination AND p.\(column) = o.\(column)\(floored)
                  AND p.id < o.id AND (p.status = 'in-flight' OR (p.status = 'pending' AND p.next_attempt_at > $1)))
            """
        }.joined(separator: "\n")
    }

    /// The claimed `rows` that may go now, each with its ``OutboxEntry/chain``; the others (a row
    /// whose shipment has an earlier row pending or in flight outside the claim — left out by the
    /// claim's limit, held back itself, or claimed by another worker meanwhile) are released in the
    /// same transaction, and so is every row after one released of its shipment. `floor`: the
    /// claim's ``unfinishedFloorSQL`` (PostgreSQL).
    static func inShipmentOrder(_ rows: [OutboxEntry], now: Int64, floor: Int64?, _ s: any SQLSession) throws(StoreError) -> [OutboxEntry] {
        guard !rows.isEmpty else { return [] }
        let (ids, messages) = paddedAlike(rows.map(\.id), Array(Set(rows.map(\.messageId))).sorted())
        var chains = ShipmentChains()
        for row in try s.query(chainsSQL(s.dialect, ids: ids.count, messages: messages.count),
                               (ids + messages + (floor.map { [$0] } ?? [])).map { .integer($0) }) {
            guard let id = row.int64(1), let destination = row.string(2), let value = row.string(3) else { continue }
            chains.add(id: id, key: .init(kind: row.string(0) == "order_key" ? .order : .logistics, destination: destination, value: value))
        }
        let (kept, released) = chains.order(rows)
        try release(s, ids: released.map(\.id), messageIds: released.map(\.messageId), now: now)
        return kept
    }

    /// The keys of the claimed rows (`$1…` ids, then their messages), and every unfinished row
    /// sharing one (the claimed rows among them, in flight now): one statement, a part per key
    /// column. On PostgreSQL each key is probed on its own (`LATERAL`), in the partitions from the
    /// claim's floor (the parameter after the messages) on: read from the unfinished rows' side, a
    /// generic plan planned while few waited walked every unfinished row of every partition and
    /// probed the claimed keys for each (40 ms a claim with 25 partitions and a few thousand
    /// waiting; `OutboxClaimFloorTests` checks the plan).
    static func chainsSQL(_ dialect: SQLDialect, ids: Int, messages: Int) -> String {
        ["order_key", "logistics_key"].map { column in
            let keys = """
                SELECT DISTINCT c.destination, c.\(column) AS value FROM outbox c
                WHERE c.id IN (\(placeholders(ids))) AND c.message_id IN (\(placeholders(messages, from: ids + 1)))
                  AND c.\(column) IS NOT NULL
                """
            guard dialect == .postgresql else {
                return """
                    SELECT '\(column)', o.id, o.destination, o.\(column) FROM outbox o
                    WHERE o.status IN ('pending', 'in-flight') AND (o.destination, o.\(column)) IN (\(keys))
                    """
            }
            return """
                SELECT '\(column)', o.id, o.destination, o.\(column)
                FROM (\(keys)) k CROSS JOIN LATERAL (
                    SELECT o.id, o.destination, o.\(column) FROM outbox o
                    WHERE o.destination = k.destination AND o.\(column) = k.value AND o.\(column) IS NOT NULL
                      AND o.status IN ('pending', 'in-flight') AND o.message_id >= $\(ids + messages + 1) OFFSET 0) o
                """
        }.joined(separator: "\nUNION ALL\n")
    }

    func outboxEntries(status: OutboxStatus?, limit: Int) async throws(StoreError) -> [OutboxEntry] {
        try await session { (s: any SQLSession) throws(StoreError) -> [OutboxEntry] in
            let filter = status == nil ? "" : "WHERE o.status = $2"
            var params: [SQLValue] = [.integer(Int64(max(limit, 0)))]
            if let status { params.append(.text(status.rawValue)) }
            return try s.query(
                "SELECT \(Self.outboxColumns) FROM outbox o JOIN message_keys m ON m.message_id = o.message_id \(filter) ORDER BY o.id DESC LIMIT $1",
                params
            ).map { (row: SQLRow) throws(StoreError) in try Self.outboxEntry(row) }
        }
    }

    @discardableResult
    func replayOutbox(id: Int64, now: Date) async throws(StoreError) -> OutboxEntry {
        let nowMs = StoreClock.milliseconds(now)
        return try await write { (s: any SQLSession) throws(StoreError) -> OutboxEntry in
            let changed = try s.execute("""
                UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, updated_at = $2
                WHERE id = $1 AND status IN ('dead', 'delivered')
                """, [.integer(id), .integer(nowMs)])
            guard let entry = try Self.outboxEntries(s, ids: [id]).first else { throw .notFound("outbox entry \(id)") }
            guard changed == 1 else {
                throw .invalidInput("outbox entry \(id) is \(entry.status.rawValue); only dead or delivered entries can be replayed")
            }
            s.queuedOutbox = true
            _ = try Self.insertEvent(
                s, kind: EventKind.replayed, occurredAt: nowMs, messageId: entry.messageId, declarationId: nil,
                receiptId: nil, code: nil,
                detail: Self.outboxDetail(destination: entry.destination, partNo: entry.part?.number, partCount: entry.part?.count),
                dedupKey: nil, now: nowMs)
            return entry
        }
    }
}
