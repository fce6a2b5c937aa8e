import COpenSSL
import Foundation

/// The ``Store`` implementation shared by both engines. Engine differences live in the
/// ``SessionEngine`` (threads, connections, bulk writer) and the ``SQLDialect``; queries here are
/// written once with `$n` placeholders.
final class SQLStore: Store {
    let engine: StoreEngine
    let sessions: any SessionEngine
    let masker: LockedValue<BuyerIdentityMasker?>
    /// Groups concurrent single-message flow writes into shared transactions (``ingestRouted``).
    let flowGroups: GroupCommit<PreparedFlowWrite, IngestReport>
    /// Groups concurrent stored answers (``storeAnswer``) into shared statements and commits.
    let answerGroups: GroupCommit<StoredAnswer, StoredAnswer>
    /// Rung after a write that queued outbox rows commits (see ``SQLSession/queuedOutbox``).
    let outboxDoorbell = OutboxDoorbell()
    /// The reads every posted message asks, each coalesced across concurrent requests
    /// (``CoalescedLookup``): an API key's enterprise, a message's stored answer, the newest
    /// declaration of a business key, credit entries, the inventories waiting for a number. They
    /// take as many callers as a group commit takes writes, so `--group-commit-max 1` turns off both.
    let lookups: StoreLookups
    /// Per year, the lowest declaration id of its declarations (PostgreSQL): where a buyer's annual
    /// total, and first a receipt's look-up by number, start.
    let declarationFloors = DeclarationIdFloors()

    init(
        engine sessions: any SessionEngine, configuredSalt: [UInt8]?,
        groupCommit: GroupCommit<PreparedFlowWrite, IngestReport>.Settings = .init(maxJobs: 64, window: .milliseconds(1))
    ) throws(StoreError) {
        self.sessions = sessions
        self.engine = sessions.dialect.engine
        self.flowGroups = GroupCommit(settings: groupCommit)
        self.answerGroups = GroupCommit(settings: .init(maxJobs: groupCommit.maxJobs, window: groupCommit.window))
        self.lookups = StoreLookups(sessions, maxJobs: groupCommit.maxJobs)
        self.masker = LockedValue(try configuredSalt.map { salt throws(StoreError) in try BuyerIdentityMasker(salt: salt) })
    }

    func session<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await sessions.withSession(body)
    }

    /// Runs `body` in a write transaction; when it queued outbox rows, rings the doorbell after the commit.
    /// With `keyProbes`, the transaction holds only key probes and inserts (``SQLSession/beginWrite(keyProbes:)``).
    func write<T: Sendable>(
        keyProbes: Bool = false, _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let (value, queued) = try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> (T, Bool) in
            s.queuedOutbox = false
            let value = try s.writeTransaction(keyProbes: keyProbes) { () throws(StoreError) -> T in try body(s) }
            defer { s.queuedOutbox = false }
            return (value, s.queuedOutbox)
        }
        if queued { outboxDoorbell.ring() }
        return value
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
        try databaseSecret(s, named: "buyer_id_salt")
    }

    /// A random 32-byte secret kept in `store_settings` under `name`, created on first use (two
    /// sessions racing both read the one that was inserted first).
    static func databaseSecret(_ s: any SQLSession, named name: String) throws(StoreError) -> [UInt8] {
        let select = "SELECT value FROM store_settings WHERE key = $1"
        if let row = try s.queryOne(select, [.text(name)]), let hex = row.string(0), let secret = Hex.decode(hex) { return secret }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else { throw .crypto("RAND_bytes failed") }
        try s.execute(
            "INSERT INTO store_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            [.text(name), .text(Hex.encode(bytes))])
        guard let row = try s.queryOne(select, [.text(name)]), let hex = row.string(0), let secret = Hex.decode(hex) else {
            throw .notFound("store_settings.\(name)")
        }
        return secret
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
