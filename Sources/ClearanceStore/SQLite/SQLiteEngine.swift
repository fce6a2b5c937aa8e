/// SQLite behind one dedicated serial thread owning one connection.
///
/// SQLite allows one writer at a time; a single connection on a single thread serialises all
/// work without lock contention, and WAL lets other processes (e.g. an ops shell) read meanwhile.
final class SQLiteEngine: SessionEngine {
    let dialect = SQLDialect.sqlite
    private let thread: EngineThread<SQLiteConnection>

    private init(thread: EngineThread<SQLiteConnection>) { self.thread = thread }

    static func open(path: String, busyTimeoutMilliseconds: Int32) async throws(StoreError) -> SQLiteEngine {
        let thread = try await EngineThread<SQLiteConnection>.start(name: "clearance.sqlite") { () throws(StoreError) in
            try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
        return SQLiteEngine(thread: thread)
    }

    func withSession<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await thread.run { (connection: SQLiteConnection) throws(StoreError) -> T in try body(connection) }
    }

    func close() async {
        await thread.shutdown { $0.close() }
    }
}
