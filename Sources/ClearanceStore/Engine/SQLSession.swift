/// SQL dialect differences the shared store code needs to know about.
enum SQLDialect: Sendable {
    case sqlite
    case postgresql

    var engine: StoreEngine { self == .sqlite ? .sqlite : .postgresql }

    /// Shared SQL is written with `$1`-style placeholders; SQLite gets `?1`-style ones,
    /// which bind by number exactly like PostgreSQL's.
    func translate(_ sql: String) -> String {
        guard self == .sqlite else { return sql }
        // Shared SQL never has `$` inside literals, so every `$` starts a placeholder. Bytes, not
        // characters: one `Character` at a time cost 3.9 % of bench_flow's samples on SQLite when it ran
        // on every execution (it now runs once per statement, see `SQLiteConnection.prepared`).
        return String(decoding: sql.utf8.map { $0 == UInt8(ascii: "$") ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }

    /// Row-locking clause for claim queries (`FOR UPDATE SKIP LOCKED`). SQLite serialises writers
    /// with `BEGIN IMMEDIATE`, so it needs none.
    var skipLocked: String { self == .postgresql ? "FOR UPDATE SKIP LOCKED" : "" }

    /// Ends a sub-select the PostgreSQL planner must plan on its own (`OFFSET 0`), so an outer
    /// `ORDER BY … LIMIT` cannot turn it into a walk along another index. SQLite needs none.
    var planningFence: String { self == .postgresql ? "OFFSET 0" : "" }

    /// Joins `declarations` as `d` to the rows of `declaration_keys` named `k`, each read by its
    /// id. On PostgreSQL a `LATERAL` sub-select behind a fence, so the plan takes the keys first
    /// and probes the one partition an id names, whatever the statistics say. With a plain join the
    /// planner may start from `declarations` instead: in one run of the suite a release's look-up of
    /// two guids, planned on small tables, walked the 60,000 declarations loaded after (1,052 pages a
    /// call; `KeyLookupPlanTests`, not reproduced in isolation). SQLite plans the join so.
    var declarationsByKey: String {
        self == .postgresql
            ? "CROSS JOIN LATERAL (SELECT * FROM declarations WHERE declarations.id = k.declaration_id OFFSET 0) d"
            : "JOIN declarations d ON d.id = k.declaration_id"
    }

    /// For the rest of the transaction, plans only walks along an index in order with per-row
    /// index probes (no sort, bitmap scan, hash or merge join), so a `ORDER BY … LIMIT n` query stops
    /// after n rows. The outbox claim needs it: its table grows and drains faster than autovacuum
    /// refreshes the statistics, and with a stale estimate ("17 due rows" while 6,500 waited) the
    /// planner sorted every due row and hashed every active one per claim — 10–13 ms a claim,
    /// growing with the backlog, against 0.25 ms along the due index. Whatever else runs in that
    /// transaction must be a primary-key look-up without `ORDER BY` (a join with an `ORDER BY`
    /// planned under these switches walked the whole due index: 60–220 ms). Names are literal:
    /// going through the `pg_settings` view cost 1.2 ms a call. SQLite plans by its indexes without
    /// statistics; nothing to do there.
    ///
    /// The claim is also planned once per connection (a cached generic plan, sequential scans ruled
    /// out as for key look-ups): its due rows cannot be pruned to a partition, so a custom plan
    /// planned every partition of the outbox on every claim — measured with `pgbench` on an idle
    /// outbox, 0.40 ms a claim unpartitioned, 2.0 ms with 14 partitions, 20 ms with 121 — while the
    /// generic plan costs 0.11, 0.18 and 0.94 ms, and its update still reaches only the claimed rows'
    /// partitions (pruned at run time). The look-ups after the claim in the same transaction run on
    /// generic plans too; they are key probes. No parallel workers: a generic plan made while the
    /// tables were small gathered two for the chains' read, which starting them costs more than it reads.
    var orderedWalkOnly: String? {
        guard self == .postgresql else { return nil }
        return "SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true), "
            + "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), "
            + "set_config('enable_seqscan', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true), "
            + "set_config('max_parallel_workers_per_gather', '0', true)"
    }
}

/// One database connection, used only on its engine thread.
///
/// Implementations are not `Sendable`: the engine hands a session to exactly one job at a time,
/// on the thread that owns it.
protocol SQLSession: AnyObject {
    var dialect: SQLDialect { get }

    /// Set by a statement that queues outbox rows; ``SQLStore/write(_:)`` rings the store's
    /// ``OutboxDoorbell`` when the transaction that set it commits.
    var queuedOutbox: Bool { get set }

    /// Runs one statement and returns all its rows.
    func query(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> [SQLRow]

    /// Runs a key look-up: a read whose every access path is an index probe on a key (a unique or
    /// near-unique column), asked on every single message. PostgreSQL plans it once per connection
    /// instead of on every run (see ``PGConnection``); other engines run it as ``query(_:_:)``.
    func lookup(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> [SQLRow]

    /// Runs one statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> Int

    /// Runs a script of several statements without parameters (migrations).
    func executeScript(_ sql: String) throws(StoreError)

    /// Starts a write transaction. With `keyProbes`, every statement in it is a key probe or an
    /// insert, and PostgreSQL runs them on cached generic plans with sequential scans ruled out, as
    /// key look-ups outside transactions (``lookup(_:_:)``); otherwise each is planned afresh.
    func beginWrite(keyProbes: Bool) throws(StoreError)
    func commit() throws(StoreError)
    /// Rolls back; errors are ignored (the connection is reset by the engine if unusable).
    func rollback()

    /// Engine-specific bulk write of one prepared chunk inside the current transaction.
    func bulkInsert(_ chunk: PreparedChunk) throws(StoreError) -> IngestReport

    /// Writes raw message parts inside the current transaction, replacing a part already stored
    /// under the same (message, number). Bytes go as binary parameters, never as text.
    func writeParts(messageId: Int64, parts: [MessagePart]) throws(StoreError)
}

extension SQLSession {
    /// Starts a write transaction whose statements are each planned afresh.
    func beginWrite() throws(StoreError) { try beginWrite(keyProbes: false) }

    /// Runs `body` in a write transaction (of key probes: see ``beginWrite(keyProbes:)``), rolling back on any error.
    func writeTransaction<T>(keyProbes: Bool = false, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try beginWrite(keyProbes: keyProbes)
        do {
            let value = try body()
            try commit()
            return value
        } catch {
            rollback()
            throw error
        }
    }

    func queryOne(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> SQLRow? {
        try query(sql, params).first
    }

    func lookup(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> [SQLRow] {
        try query(sql, params)
    }

    func lookupOne(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> SQLRow? {
        try lookup(sql, params).first
    }
}

/// Runs jobs against sessions on the engine's own threads.
protocol SessionEngine: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` with a session on an engine thread and returns its result.
    func withSession<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T

    /// Closes every connection and stops the threads.
    func close() async
}
