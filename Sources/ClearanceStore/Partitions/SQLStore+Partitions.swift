import CEBModel
import Foundation

extension SQLStore: PartitionStore {
    /// Serialises maintenance across processes (two `serve` instances on one database).
    static let partitionLockKey: Int64 = 0x436C_6561_7250 // "ClearP"
    /// SQLSTATE `lock_not_available`: a statement waited longer than `lock_timeout`.
    static let lockNotAvailable = "55P03"

    /// Takes the maintenance lock (waiting for another run as long as it takes), then bounds every
    /// table lock this transaction waits for by `policy.lockTimeout`.
    private static func beginStep(_ policy: PartitionPolicy, _ s: any SQLSession) throws(StoreError) {
        try s.execute("SELECT pg_advisory_xact_lock($1)", [.integer(partitionLockKey)])
        // SET takes no parameters; the figure is an integer this code computed.
        try s.execute("SET LOCAL lock_timeout = \(Int((policy.lockTimeout * 1_000).rounded(.up)))", [])
    }

    /// SQLite has no partitions: there, only the stored answers past retention are deleted.
    func maintainPartitions(_ policy: PartitionPolicy, now: Date) async throws(StoreError) -> PartitionReport {
        guard engine == .postgresql else {
            var report = PartitionReport(partitioned: false)
            if let retention = policy.retention { report.answersPruned = try await pruneAnswers(before: now.addingTimeInterval(-retention)) }
            return report
        }
        var report = PartitionReport(partitioned: true)
        for table in PartitionedTable.allCases {
            do {
                let (created, moved) = try await write { (s: any SQLSession) throws(StoreError) -> ([StorePartition], Int) in
                    try Self.makeAhead(table, policy: policy, now: now, s)
                }
                report.created += created
                report.rowsMoved += moved
            } catch where error.sqlState == Self.lockNotAvailable {
                report.busy.append(table)
            }
            guard let retention = policy.retention else { continue }
            let cutoff = now.addingTimeInterval(-retention)
            for candidate in try await session({ (s: any SQLSession) throws(StoreError) -> [StorePartition] in
                try Self.partitions(s, table: table).filter { $0.detachedAt == nil }
            }) {
                let outcome: PartitionReport.Hold??
                do {
                    outcome = try await write { (s: any SQLSession) throws(StoreError) -> PartitionReport.Hold?? in
                        try Self.detachIfExpired(candidate, cutoff: cutoff, policy: policy, now: now, s)
                    }
                } catch where error.sqlState == Self.lockNotAvailable {
                    outcome = .some(.tableBusy)
                }
                switch outcome {
                case .none: break // not past retention, or still filling
                case .some(.none): report.detached.append(candidate)
                case .some(.some(let hold)): report.kept.append(.init(partition: candidate, hold: hold))
                }
            }
        }
        if let retention = policy.retention {
            report.answersPruned = try await pruneAnswers(before: now.addingTimeInterval(-retention))
        }
        report.partitions = try await session { (s: any SQLSession) throws(StoreError) -> [StorePartition] in
            var all: [StorePartition] = []
            for table in PartitionedTable.allCases { all += try Self.partitions(s, table: table) }
            return all
        }
        return report
    }

    /// Deletes the stored answers (``StoredAnswer``) made before `cutoff`, oldest first, 10,000 to a
    /// transaction so no lock is held long; returns how many. The table is keyed by guid (no partition
    /// column to detach by) and written once per accepted message, so without this it grows with every
    /// message for ever: ~380 bytes each, most of what a message leaves in the store once its bytes are
    /// archived. An answer serves a sender resending a message it saw no answer to, within minutes.
    func pruneAnswers(before cutoff: Date) async throws(StoreError) -> Int {
        var total = 0
        while true {
            let deleted = try await write { (s: any SQLSession) throws(StoreError) -> Int in
                try s.execute("""
                    DELETE FROM message_answers WHERE guid IN (
                        SELECT guid FROM message_answers WHERE created_at < $1 ORDER BY created_at LIMIT \(Self.answersPrunedPerStep))
                    """, [.time(cutoff)])
            }
            total += deleted
            if deleted < Self.answersPrunedPerStep { return total }
        }
    }

    static let answersPrunedPerStep = 10_000

    func reattachPartition(named name: String, policy: PartitionPolicy, now: Date) async throws(StoreError) -> PartitionReattachment {
        guard engine == .postgresql else { throw .invalidInput("SQLite is not partitioned: there is nothing to reattach") }
        defer { declarationFloors.forget() }
        return try await write { (s: any SQLSession) throws(StoreError) -> PartitionReattachment in
            try Self.beginStep(policy, s)
            var found: StorePartition?
            for table in PartitionedTable.allCases { found = try Self.partitions(s, table: table).first { $0.name == name } ?? found }
            guard var partition = found else { throw .invalidInput("\(name) is not a partition this store made") }
            guard partition.detachedAt != nil else { throw .invalidInput("\(name) is attached: nothing to do") }
            guard try s.queryOne("SELECT 1 WHERE to_regclass($1) IS NOT NULL", [.text(name)]) != nil else {
                throw .notFound("table \(name): restore it from its archive first (pg_restore -d DATABASE \(name).dump)")
            }
            // The name is one store_partitions recorded (this code made it); the bounds are integers.
            try s.execute("""
                ALTER TABLE \(partition.table.rawValue) ATTACH PARTITION \(name) FOR VALUES FROM (\(partition.low)) TO (\(partition.high))
                """, [])
            let dropped = try Self.dropIndexesParentLacks(s, partition: name)
            try s.execute("UPDATE store_partitions SET detached_at = NULL, reattached_at = $1 WHERE name = $2", [.time(now), .text(name)])
            partition.detachedAt = nil
            partition.reattachedAt = now
            return PartitionReattachment(partition: partition, droppedIndexes: dropped)
        }
    }

    /// Drops the indexes of `partition`, just attached, that belong to none of its parent's: a
    /// partition detached before a migration dropped one of the parent's indexes kept its own copy
    /// (declarations' guid index, dropped by migration 83), which `ATTACH` leaves beside the parent's
    /// and every write would still maintain. Indexes behind a constraint are left alone. Returns the
    /// dropped indexes' names.
    static func dropIndexesParentLacks(_ s: any SQLSession, partition: String) throws(StoreError) -> [String] {
        let stray = try s.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relname
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE i.indrelid = to_regclass($1)
              AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY 2
            """, [.text(partition)]).compactMap { row in row.string(0).flatMap { quoted in row.string(1).map { (quoted, $0) } } }
        // Names quoted by the catalogue's own quote_ident.
        for (quoted, _) in stray { try s.execute("DROP INDEX \(quoted)", []) }
        return stray.map(\.1)
    }

    /// The columns ``partition(_:table:)`` reads, in its order.
    private static let partitionColumns = "name, low, high, created_at, detached_at, reattached_at"

    /// A `store_partitions` row of ``partitionColumns``.
    private static func partition(_ r: SQLRow, table: PartitionedTable) throws(StoreError) -> StorePartition {
        StorePartition(name: try r.requireString(0, "store_partitions.name"), table: table,
                       low: try r.requireInt64(1, "store_partitions.low"), high: try r.requireInt64(2, "store_partitions.high"),
                       createdAt: r.date(3) ?? .distantPast, detachedAt: r.date(4), reattachedAt: r.date(5))
    }

    /// Every recorded partition of `table`, by range.
    static func partitions(_ s: any SQLSession, table: PartitionedTable) throws(StoreError) -> [StorePartition] {
        try s.query("SELECT \(partitionColumns) FROM store_partitions WHERE parent_table = $1 ORDER BY low",
                    [.text(table.rawValue)]).map { (r: SQLRow) throws(StoreError) in try partition(r, table: table) }
    }

    /// The detached partition that held `key`'s rows of `table`, if any (PostgreSQL only): a read that
    /// finds rows missing asks this before calling the message damaged.
    static func archivedPartition(_ s: any SQLSession, table: PartitionedTable, key: Int64) throws(StoreError) -> StorePartition? {
        guard s.dialect == .postgresql else { return nil }
        return try s.query("""
            SELECT \(partitionColumns) FROM store_partitions
            WHERE parent_table = $1 AND detached_at IS NOT NULL AND low <= $2 AND high > $2
            """, [.text(table.rawValue), .integer(key)]).first.map { (r: SQLRow) throws(StoreError) in try partition(r, table: table) }
    }

    /// Makes partitions until `policy.ahead` spans lie beyond the newest parent id. The first one
    /// made also covers every row the default partition took (moved into it in this transaction,
    /// with the default locked against writers meanwhile). Returns what was made and how many rows moved.
    private static func makeAhead(
        _ table: PartitionedTable, policy: PartitionPolicy, now: Date, _ s: any SQLSession
    ) throws(StoreError) -> ([StorePartition], Int) {
        try beginStep(policy, s)
        let newest = try s.queryOne("SELECT COALESCE(MAX(id), 0) FROM \(table.parent)", [])?.int64(0) ?? 0
        var next = try s.queryOne("SELECT COALESCE(MAX(high), 0) FROM store_partitions WHERE parent_table = $1",
                                  [.text(table.rawValue)])?.int64(0) ?? 0
        let span = max(policy.minimumSpan, newest - (try firstId(table, since: now.addingTimeInterval(-policy.period), s) ?? newest))
        let target = newest + Int64(policy.ahead) * span
        var defaultTop = try s.queryOne("SELECT MAX(\(table.key)) FROM \(table.defaultPartition)", [])?.int64(0)
        // Events are append-only (a trigger): moving rows out of the default partition is the one
        // delete it lets through, in this transaction. A declaration moved keeps its awaited and
        // linked numbers (migrations 81 and 82's triggers would drop them with the delete).
        if table == .events || table == .declarations { _ = try s.query("SELECT set_config('\(PartitionMigrations.movingPartitionRows)', 'on', true)", []) }
        var made: [StorePartition] = []
        var moved = 0
        while next <= target {
            var high = next + span
            if let top = defaultTop, top >= next {
                high = max(high, top + 1)
                try s.execute("LOCK TABLE \(table.defaultPartition) IN EXCLUSIVE MODE", [])
                defaultTop = nil
            }
            let partition = StorePartition(name: "\(table.rawValue)_\(next)", table: table, low: next, high: high, createdAt: now)
            try s.execute("""
                CREATE TABLE \(partition.name) (LIKE \(table.rawValue)
                    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)
                """, [])
            moved += try s.execute("""
                WITH moved AS (DELETE FROM \(table.defaultPartition) WHERE \(table.key) >= $1 AND \(table.key) < $2 RETURNING *)
                INSERT INTO \(partition.name) SELECT * FROM moved
                """, [.integer(partition.low), .integer(partition.high)])
            // Bounds are literals in DDL; both are integers this code computed.
            try s.execute("ALTER TABLE \(table.rawValue) ATTACH PARTITION \(partition.name) FOR VALUES FROM (\(partition.low)) TO (\(partition.high))", [])
            try s.execute("""
                INSERT INTO store_partitions (name, parent_table, low, high, created_at) VALUES ($1, $2, $3, $4, $5)
                """, [.text(partition.name), .text(table.rawValue), .integer(partition.low), .integer(partition.high), .time(now)])
            made.append(partition)
            next = high
        }
        return (made, moved)
    }

    /// The first parent id that arrived at or after `since` (nil: none did), found on time and key
    /// indexes: a declaration's time is its message's.
    private static func firstId(_ table: PartitionedTable, since: Date, _ s: any SQLSession) throws(StoreError) -> Int64? {
        guard let message = try s.queryOne(
            "SELECT id FROM messages WHERE received_at >= $1 ORDER BY received_at LIMIT 1", [.time(since)])?.int64(0) else { return nil }
        switch table {
        case .messages, .messageParts, .outbox: return message
        case .declarationLines, .declarations, .events:
            // The parent's table name is this code's constant.
            return try s.queryOne("SELECT id FROM \(table.parent) WHERE message_id >= $1 ORDER BY message_id LIMIT 1",
                                  [.integer(message)])?.int64(0)
        }
    }

    /// Whether a declaration whose `column` lies in `range` waits for documents or an operator's
    /// review. One status at a time, written into the SQL, so each probe runs on that status's
    /// partial index: `status IN (…)` took a parallel sequential scan (65 ms on two million
    /// declarations, against 1.2 ms).
    private static func waits(_ s: any SQLSession, column: String, _ range: [SQLValue]) throws(StoreError) -> Bool {
        for status in [DeclarationStatus.awaitingDocuments, .held] {
            // The statuses are this code's constants, not input.
            if try s.queryOne("""
                SELECT 1 FROM declarations WHERE status = '\(status.rawValue)' AND \(column) >= $1 AND \(column) < $2 LIMIT 1
                """, range) != nil { return true }
        }
        return false
    }

    /// Detaches `partition` when every id of it is handed out, its newest parent arrived before
    /// `cutoff` and nothing in it is in flight. Returns nil when it is not past retention, `.some(nil)`
    /// when detached, `.some(hold)` when kept for `hold`.
    private static func detachIfExpired(
        _ partition: StorePartition, cutoff: Date, policy: PartitionPolicy, now: Date, _ s: any SQLSession
    ) throws(StoreError) -> PartitionReport.Hold?? {
        let table = partition.table
        try beginStep(policy, s)
        let newest = try s.queryOne("SELECT COALESCE(MAX(id), 0) FROM \(table.parent)", [])?.int64(0) ?? 0
        guard partition.high <= newest + 1 else { return nil }
        if let last = try s.queryOne("""
            SELECT \(table.parentTime) FROM \(table.parent) WHERE id >= $1 AND id < $2 ORDER BY id DESC LIMIT 1
            """, [.integer(partition.low), .integer(partition.high)])?.date(0) {
            guard last < cutoff else { return nil }
        } else {
            // The parent's name is this code's constant.
            guard table.rawValue != table.parent, try s.queryOne("""
                    SELECT 1 FROM store_partitions WHERE parent_table = '\(table.parent)' AND detached_at IS NOT NULL AND low < $2 AND high > $1
                    """, [.integer(partition.low), .integer(partition.high)]) != nil else { return nil }
        }
        // Rows of parents (message heads, declarations) all archived, so past retention: nothing can
        // add rows for them now.
        if let reattached = partition.reattachedAt, reattached >= cutoff { return .some(.reattached) }
        let range: [SQLValue] = [.integer(partition.low), .integer(partition.high)]
        switch table {
        case .messages, .messageParts, .outbox:
            // The outbox's rows for these messages go when their bytes go: a release or an
            // ingest still to finish queues more of them.
            if try s.queryOne("""
                SELECT 1 FROM outbox WHERE status IN ('pending', 'in-flight') AND message_id >= $1 AND message_id < $2 LIMIT 1
                """, range) != nil { return .some(.deliveriesPending) }
            if try s.queryOne("SELECT 1 FROM messages WHERE complete = 0 AND id >= $1 AND id < $2 LIMIT 1", range) != nil {
                return .some(.incompleteMessages)
            }
            // Releasing a waiting declaration forwards its message: the stored bytes are read again.
            if try waits(s, column: "message_id", range) { return .some(.declarationsWaiting) }
        case .declarationLines:
            if try waits(s, column: "id", range) { return .some(.declarationsWaiting) }
        case .declarations:
            if try waits(s, column: "id", range) { return .some(.declarationsWaiting) }
            if let newest = try s.queryOne("SELECT MAX(created_at) FROM declarations WHERE id >= $1 AND id < $2", range)?.int64(0),
               newest >= Self.chinaYearBounds(ChinaTime.year(of: now)).0 {
                return .some(.quotaYear)
            }
        case .events:
            // Nothing reads old events to decide anything: their dedup keys stay in `event_keys`, and
            // the detached part of a timeline is in its partition's archive.
            break
        }
        try s.execute("ALTER TABLE \(table.rawValue) DETACH PARTITION \(partition.name)", [])
        try s.execute("UPDATE store_partitions SET detached_at = $1 WHERE name = $2", [.time(now), .text(partition.name)])
        return .some(nil)
    }
}
