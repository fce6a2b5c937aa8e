import Foundation

/// Where a store lives, parsed from a store URL.
///
/// | URL | engine |
/// |---|---|
/// | `nil` or empty | SQLite file ``defaultSQLitePath`` in the current directory |
/// | `sqlite:PATH`, `sqlite://PATH`, `file:PATH` or a plain path | SQLite file at PATH (`sqlite::memory:` for a private in-memory database) |
/// | `postgresql://…` or `postgres://…` | PostgreSQL; the URL goes to libpq unchanged |
///
/// PostgreSQL connection parameters missing from the URL come from libpq's usual environment
/// (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSERVICE`, `~/.pgpass`…): so
/// `postgresql://` alone connects entirely from the environment. With no URL at all the store is
/// SQLite even when PG* variables are set: choosing the server must be explicit.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgresql(conninfo: String)

    /// The SQLite file used when no URL is given.
    public static let defaultSQLitePath = "clearance.sqlite"

    /// Parses a store URL (see the type's documentation).
    public init(url: String?) throws(StoreError) {
        let text = url?.trimmingSpaces ?? ""
        if text.isEmpty {
            self = .sqlite(path: Self.defaultSQLitePath)
            return
        }
        let lower = text.lowercased()
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
            self = .postgresql(conninfo: text)
            return
        }
        for prefix in ["sqlite://", "sqlite:", "file://", "file:"] where lower.hasPrefix(prefix) {
            let path = String(text.dropFirst(prefix.count))
            guard !path.isEmpty else { throw .invalidURL(text, reason: "no file path after '\(prefix)'") }
            self = .sqlite(path: path)
            return
        }
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/"),
           text[..<colon].count > 1, text[text.index(after: colon)...].hasPrefix("//") {
            throw .invalidURL(text, reason: "unsupported scheme '\(text[..<colon])' (use sqlite:, postgresql:// or a file path)")
        }
        self = .sqlite(path: text)
    }

    /// The engine for this location.
    public var engine: StoreEngine {
        switch self {
        case .sqlite: .sqlite
        case .postgresql: .postgresql
        }
    }

    /// Location with any password removed, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgresql(let conninfo):
            // postgresql://user:secret@host/db → postgresql://user:***@host/db
            guard let schemeEnd = conninfo.range(of: "://"),
                  let at = conninfo[schemeEnd.upperBound...].firstIndex(of: "@") else { return conninfo }
            let userInfo = conninfo[schemeEnd.upperBound..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return conninfo }
            return String(conninfo[..<colon]) + ":***" + String(conninfo[at...])
        }
    }
}

/// Tuning and secrets for a store.
public struct StoreOptions: Sendable {
    /// Secret salt for buyer ID hashes (≥ 16 bytes). When nil, the environment variable
    /// `CLEARANCE_BUYER_ID_SALT` (its UTF-8 bytes) is used; when that is unset too, a random salt
    /// is generated once per database and kept in `store_settings` (weaker: anyone with a copy of
    /// the database can brute-force IDs; set a salt in production).
    public var buyerIdSalt: [UInt8]?
    /// Number of PostgreSQL connections, each on its own thread.
    public var postgresPoolSize: Int
    /// SQLite busy timeout in milliseconds (other processes writing the same file).
    public var sqliteBusyTimeoutMilliseconds: Int32
    /// Apply migrations when opening (the default: "applied on start").
    public var migrateOnOpen: Bool
    /// Group commit of single flow messages (``ClearanceFlowStore/ingestRouted(_:)``): at most
    /// this many concurrent writes share one transaction and one commit; 1 disables grouping.
    public var groupCommitMaxWrites: Int
    /// How long a group waits for more writes while requests keep arriving (a lone write never
    /// waits); zero commits whatever is queued at once.
    public var groupCommitWindow: Duration

    public init(
        buyerIdSalt: [UInt8]? = nil, postgresPoolSize: Int = 4,
        sqliteBusyTimeoutMilliseconds: Int32 = 10_000, migrateOnOpen: Bool = true,
        groupCommitMaxWrites: Int = 64, groupCommitWindow: Duration = .milliseconds(1)
    ) {
        self.buyerIdSalt = buyerIdSalt
        self.postgresPoolSize = postgresPoolSize
        self.sqliteBusyTimeoutMilliseconds = sqliteBusyTimeoutMilliseconds
        self.migrateOnOpen = migrateOnOpen
        self.groupCommitMaxWrites = groupCommitMaxWrites
        self.groupCommitWindow = groupCommitWindow
    }
}

/// Opens (and by default migrates) the store at `url`; see ``StoreLocation`` for the URL forms.
public func openStore(url: String?, options: StoreOptions = StoreOptions()) async throws(StoreError) -> any Store {
    try await openStore(at: StoreLocation(url: url), options: options)
}

/// Opens (and by default migrates) the store at a parsed location.
public func openStore(at location: StoreLocation, options: StoreOptions = StoreOptions()) async throws(StoreError) -> any Store {
    let salt = options.buyerIdSalt
        ?? ProcessInfo.processInfo.environment["CLEARANCE_BUYER_ID_SALT"].flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    guard options.groupCommitMaxWrites >= 1, options.groupCommitWindow >= .zero else {
        throw .invalidInput("groupCommitMaxWrites must be at least 1 and groupCommitWindow not negative")
    }
    let engine: any SessionEngine
    switch location {
    case .sqlite(let path):
        engine = try await SQLiteEngine.open(path: path, busyTimeoutMilliseconds: options.sqliteBusyTimeoutMilliseconds)
    case .postgresql(let conninfo):
        guard options.postgresPoolSize >= 1 else { throw .invalidInput("postgresPoolSize must be at least 1") }
        engine = try await PostgresEngine.open(conninfo: conninfo, poolSize: options.postgresPoolSize)
    }
    let store = try SQLStore(
        engine: engine, configuredSalt: salt,
        groupCommit: .init(maxJobs: options.groupCommitMaxWrites, window: options.groupCommitWindow))
    if options.migrateOnOpen {
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
    }
    return store
}
