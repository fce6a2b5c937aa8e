/// Errors raised by ``Store`` implementations.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store URL could not be understood.
    case invalidURL(String, reason: String)
    /// Opening the database or connecting to the server failed.
    case connectionFailed(engine: StoreEngine, target: String, message: String)
    /// A statement failed. `sqlState` is the PostgreSQL SQLSTATE (e.g. `23505`) or, for SQLite,
    /// nil with `code` holding the extended result code.
    case statementFailed(engine: StoreEngine, message: String, sqlState: String?, code: Int32?, statement: String)
    /// A migration failed and was rolled back.
    case migrationFailed(version: Int, name: String, reason: String)
    /// An applied migration's SQL differs from the one this build ships.
    case migrationChecksumMismatch(version: Int, name: String, recorded: String, expected: String)
    /// The database was migrated by a newer build.
    case schemaTooNew(databaseVersion: Int, knownVersion: Int)
    /// The schema has not been migrated yet (call ``Store/migrate()``).
    case notMigrated
    /// The caller passed inconsistent input; nothing was written.
    case invalidInput(String)
    /// A referenced row does not exist.
    case notFound(String)
    /// A hashing or random-number call into libcrypto failed.
    case crypto(String)
    /// The store was closed.
    case closed
    /// Rows a write meant to move were moved by another writer first; nothing was written.
    case conflict(String)
    /// What was asked for was stored but has been archived: its partition was detached under the
    /// retention setting (``PartitionStore``), so it is no longer in the live store.
    case archived(String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            "invalid store URL '\(url)': \(reason)"
        case .connectionFailed(let engine, let target, let message):
            "\(engine): cannot open \(target): \(message)"
        case .statementFailed(let engine, let message, let sqlState, let code, let statement):
            "\(engine): \(message)"
                + (sqlState.map { " [SQLSTATE \($0)]" } ?? "")
                + (code.map { " [code \($0)]" } ?? "")
                + " in: \(statement.prefix(200))"
        case .migrationFailed(let version, let name, let reason):
            "migration \(version) '\(name)' failed: \(reason)"
        case .migrationChecksumMismatch(let version, let name, let recorded, let expected):
            "migration \(version) '\(name)' was applied with checksum \(recorded) but this build has \(expected); the schema history was edited"
        case .schemaTooNew(let databaseVersion, let knownVersion):
            "database schema version \(databaseVersion) is newer than this build's \(knownVersion)"
        case .notMigrated:
            "the database schema is not migrated; run migrate() first"
        case .invalidInput(let why):
            "invalid input: \(why)"
        case .notFound(let what):
            "not found: \(what)"
        case .crypto(let why):
            "crypto failure: \(why)"
        case .closed:
            "the store is closed"
        case .conflict(let what):
            "conflict: \(what)"
        case .archived(let what):
            "archived: \(what)"
        }
    }

    /// PostgreSQL SQLSTATE when the error came from the server.
    public var sqlState: String? {
        if case .statementFailed(_, _, let state, _, _) = self { return state }
        return nil
    }
}
