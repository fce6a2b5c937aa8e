/// PostgreSQL behind a small pool of connections, each owned by its own thread.
///
/// A job borrows a connection from ``PGConnectionPool``, runs on that connection's thread, and
/// returns it. Connections are opened lazily up to the pool size (the first one eagerly, so a
/// bad URL fails at open).
final class PostgresEngine: SessionEngine {
    let dialect = SQLDialect.postgresql
    private let pool: PGConnectionPool
    private let conninfo: String
    private let target: String
    private let counter = LockedValue(0)

    private init(pool: PGConnectionPool, conninfo: String, target: String) {
        self.pool = pool
        self.conninfo = conninfo
        self.target = target
    }

    static func open(conninfo: String, poolSize: Int) async throws(StoreError) -> PostgresEngine {
        let target = StoreLocation.postgresql(conninfo: conninfo).description
        let engine = PostgresEngine(pool: PGConnectionPool(capacity: poolSize), conninfo: conninfo, target: target)
        guard case .openNew = await engine.pool.acquire() else { throw .closed }
        let worker = try await engine.openWorker()
        await engine.pool.release(worker)
        return engine
    }

    private func openWorker() async throws(StoreError) -> EngineThread<PGConnection> {
        let n = counter.withValue { value -> Int in
            value += 1
            return value
        }
        do {
            let (conninfo, target) = (self.conninfo, self.target)
            let worker = try await EngineThread<PGConnection>.start(name: "clearance.pg.\(n)") { () throws(StoreError) in
                try PGConnection(conninfo: conninfo, target: target)
            }
            await pool.opened(worker)
            return worker
        } catch {
            await pool.openFailed()
            throw error
        }
    }

    func withSession<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let worker: EngineThread<PGConnection>
        switch await pool.acquire() {
        case .existing(let w): worker = w
        case .openNew: worker = try await openWorker()
        case .closed: throw .closed
        }
        let result: Result<T, StoreError>
        do {
            result = .success(try await worker.run { (connection: PGConnection) throws(StoreError) -> T in
                try connection.ensureUsable()
                return try body(connection)
            })
        } catch {
            result = .failure(error)
        }
        await pool.release(worker)
        return try result.get()
    }

    func close() async {
        for worker in await pool.closeAll() {
            await worker.shutdown { $0.close() }
        }
    }
}

/// Hands out connection threads; waiters queue in FIFO order.
actor PGConnectionPool {
    enum Lease: Sendable {
        case existing(EngineThread<PGConnection>)
        /// Capacity is free: the caller opens a new connection and reports ``opened(_:)``/``openFailed()``.
        case openNew
        case closed
    }

    private let capacity: Int
    private var idle: [EngineThread<PGConnection>] = []
    private var all: [EngineThread<PGConnection>] = []
    private var opening = 0
    private var waiters: [CheckedContinuation<Lease, Never>] = []
    private var isClosed = false

    init(capacity: Int) { self.capacity = capacity }

    func acquire() async -> Lease {
        if isClosed { return .closed }
        if let worker = idle.popLast() { return .existing(worker) }
        if all.count + opening < capacity {
            opening += 1
            return .openNew
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func opened(_ worker: EngineThread<PGConnection>) {
        opening -= 1
        all.append(worker)
    }

    func openFailed() {
        opening -= 1
        if !waiters.isEmpty {
            opening += 1
            waiters.removeFirst().resume(returning: .openNew)
        }
    }

    func release(_ worker: EngineThread<PGConnection>) {
        guard !isClosed else { return }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: .existing(worker))
        } else {
            idle.append(worker)
        }
    }

    /// Marks the pool closed and returns every connection thread for shutdown.
    func closeAll() -> [EngineThread<PGConnection>] {
        isClosed = true
        for waiter in waiters { waiter.resume(returning: .closed) }
        waiters.removeAll()
        idle.removeAll()
        defer { all.removeAll() }
        return all
    }
}
