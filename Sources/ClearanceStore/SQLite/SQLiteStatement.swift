import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies bound text/blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement owned by a ``SQLiteConnection``'s cache.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds parameters by position (1-based, matching `?N`).
    func bind(_ params: [SQLValue], startingAt first: Int32 = 1, connection: SQLiteConnection) throws(StoreError) {
        var index = first
        for value in params {
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .decimal(let d): rc = sqlite3_bind_int64(handle, index, d.scaled)
            case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, transient)
            case .blob(let b):
                rc = b.withUnsafeBytes { raw in
                    // A zero-length blob still needs a non-null pointer to be stored as X'' rather than NULL.
                    sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), transient)
                }
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, sql) }
            index += 1
        }
    }

    /// Steps to completion, collecting rows.
    func rows(connection: SQLiteConnection) throws(StoreError) -> [SQLRow] {
        var rows: [SQLRow] = []
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw connection.error(rc, sql) }
            let count = sqlite3_column_count(handle)
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for i in 0..<count {
                switch sqlite3_column_type(handle, i) {
                case SQLITE_NULL: values.append(.null)
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, i)))
                case SQLITE_FLOAT: values.append(.text(String(sqlite3_column_double(handle, i))))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(handle, i))
                    if let p = sqlite3_column_blob(handle, i), n > 0 {
                        values.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: n))))
                    } else {
                        values.append(.blob([]))
                    }
                default:
                    let n = Int(sqlite3_column_bytes(handle, i))
                    if let p = sqlite3_column_text(handle, i) {
                        values.append(.text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)))
                    } else {
                        values.append(.text(""))
                    }
                }
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}
