/// One versioned schema change, written per engine.
struct Migration: Sendable {
    let version: Int
    let name: String
    let sql: String

    /// SHA-256 of the SQL, recorded so an edited history is detected.
    var checksum: String { SHA256Digest.hex(of: Array(sql.utf8)) }
}

/// Applies pending migrations and records them in `schema_migrations`.
///
/// Each migration runs in its own transaction together with its `schema_migrations` row, so a
/// crash leaves the schema at a whole version. Concurrent migrators are serialised: PostgreSQL
/// with a session advisory lock, SQLite with `BEGIN IMMEDIATE` (re-checking inside the lock).
enum Migrator {
    static let advisoryLockKey: Int64 = 0x436C_6561_7200 // "Clear"

    /// Each group numbers its own versions (core 1–, flow 20–, access 40–, credit 47–, export 60–,
    /// partitions 70–), so groups grow without renumbering each other.
    static func migrations(for dialect: SQLDialect) -> [Migration] {
        let s = SchemaSpelling.of(dialect)
        return CoreMigrations.all(s) + FlowMigrations.all(s) + AccessMigrations.all(s) + CreditMigrations.all(s) + ExportMigrations.all(s)
            + PartitionMigrations.all(s)
    }

    /// Returns the versions applied now. `through` stops after that version (tests that check how a
    /// migration treats rows stored before it).
    static func run(_ session: any SQLSession, through last: Int = .max) throws(StoreError) -> [Int] {
        let dialect = session.dialect
        let migrations = migrations(for: dialect).filter { $0.version <= last }
        let createTable = """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """
        if dialect == .postgresql {
            try session.execute("SELECT pg_advisory_lock($1)", [.integer(advisoryLockKey)])
        }
        defer {
            if dialect == .postgresql {
                _ = try? session.execute("SELECT pg_advisory_unlock($1)", [.integer(advisoryLockKey)])
            }
        }
        try session.writeTransaction { () throws(StoreError) in
            _ = try session.execute(createTable, [])
        }
        var applied: [Int] = []
        for migration in migrations {
            let didApply = try session.writeTransaction { () throws(StoreError) -> Bool in
                let recorded = try session.queryOne(
                    "SELECT checksum, name FROM schema_migrations WHERE version = $1", [.integer(Int64(migration.version))])
                if let recorded {
                    let checksum = try recorded.requireString(0, "checksum")
                    guard checksum == migration.checksum else {
                        throw .migrationChecksumMismatch(
                            version: migration.version, name: migration.name, recorded: checksum, expected: migration.checksum)
                    }
                    return false
                }
                do throws(StoreError) {
                    try session.executeScript(migration.sql)
                } catch {
                    throw .migrationFailed(version: migration.version, name: migration.name, reason: error.description)
                }
                try session.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                    [.integer(Int64(migration.version)), .text(migration.name), .text(migration.checksum),
                     .time(.now)])
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        let known = Self.migrations(for: dialect).map(\.version).max() ?? 0
        if let row = try session.queryOne("SELECT MAX(version) FROM schema_migrations", []),
           let newest = row.int(0), newest > known {
            throw .schemaTooNew(databaseVersion: newest, knownVersion: known)
        }
        return applied
    }
}
