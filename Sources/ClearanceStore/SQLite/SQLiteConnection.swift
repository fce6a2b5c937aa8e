import CSQLite

/// One SQLite connection in WAL mode with a prepared-statement cache. Used only on its
/// ``EngineThread``.
final class SQLiteConnection: SQLSession {
    let dialect = SQLDialect.sqlite
    var queuedOutbox = false
    private var db: OpaquePointer?
    private var cache: [String: SQLiteStatement] = [:]
    private let busyWait: SQLiteBusyWait
    let path: String

    /// Opens (creating if needed) the database file and configures it:
    /// WAL journal, `synchronous=NORMAL` (committed transactions survive a killed process; only an
    /// OS crash or power loss can lose the last ones), foreign keys on, and a wait of up to
    /// `busyTimeoutMilliseconds` for another process's write lock (``SQLiteBusyWait``).
    init(path: String, busyTimeoutMilliseconds: Int32) throws(StoreError) {
        self.path = path
        busyWait = SQLiteBusyWait(timeoutMilliseconds: busyTimeoutMilliseconds)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw .connectionFailed(engine: .sqlite, target: path, message: message)
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        busyWait.install(on: handle)
        do throws(StoreError) {
            let mode = try query("PRAGMA journal_mode = WAL", []).first?.string(0)?.lowercased()
            if path != ":memory:" && mode != "wal" {
                throw .connectionFailed(engine: .sqlite, target: path, message: "cannot enable WAL (journal_mode=\(mode ?? "?"))")
            }
            try executeScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")
        } catch {
            close()
            throw error
        }
    }

    func close() {
        cache.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    deinit { close() }

    func error(_ rc: Int32, _ sql: String) -> StoreError {
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        return .statementFailed(engine: .sqlite, message: message, sqlState: nil, code: rc, statement: sql)
    }

    /// A cached prepared statement for the shared SQL `sql` (`$N` placeholders), keyed by it:
    /// the placeholders are translated to SQLite's `?N` once, when it is first prepared.
    func prepared(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let statement = cache[sql] { return statement }
        guard let db else { throw .closed }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, dialect.translate(sql), -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else { throw error(rc, sql) }
        let statement = SQLiteStatement(handle: handle, sql: sql)
        if cache.count > 256 { cache.removeAll() }
        cache[sql] = statement
        return statement
    }

    func query(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> [SQLRow] {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(params, connection: self)
        return try statement.rows(connection: self)
    }

    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> Int {
        _ = try query(sql, params)
        return db.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    func executeScript(_ sql: String) throws(StoreError) {
        guard let db else { throw .closed }
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw .statementFailed(engine: .sqlite, message: text, sqlState: nil, code: rc, statement: sql)
        }
    }

    /// `BEGIN IMMEDIATE`: takes the write lock up front so a transaction never fails half-way
    /// with SQLITE_BUSY on lock upgrade (the busy timeout applies here instead).
    /// SQLite plans by its indexes without statistics: `keyProbes` changes nothing here.
    func beginWrite(keyProbes: Bool) throws(StoreError) { try executeScript("BEGIN IMMEDIATE") }
    func commit() throws(StoreError) { try executeScript("COMMIT") }
    func rollback() {
        guard let db, sqlite3_get_autocommit(db) == 0 else { return }
        _ = try? executeScript("ROLLBACK")
    }

    func writeParts(messageId: Int64, parts: [MessagePart]) throws(StoreError) {
        for part in parts {
            try execute("""
                INSERT INTO message_parts (message_id, part_no, bytes) VALUES (?1, ?2, ?3)
                ON CONFLICT (message_id, part_no) DO UPDATE SET bytes = excluded.bytes
                """, [.integer(messageId), .integer(Int64(part.index)), .blob(part.bytes)])
        }
    }

    func bulkInsert(_ chunk: PreparedChunk) throws(StoreError) -> IngestReport {
        try RowInsertWriter(connection: self).write(chunk)
    }
}
