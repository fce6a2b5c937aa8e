import CSQLite
import Glibc

/// How a connection waits for another process's write lock: polls every 0.2 ms, then every 1 ms,
/// until `timeout` has passed since its first try.
///
/// SQLite's own busy timeout backs off to sleeps of 25, 50 and 100 ms, so a waiting writer kept
/// sleeping long after the lock was free: with `submit` and the delivery worker sharing one
/// database, a claim or a completion that met a busy moment waited tens of milliseconds for a lock
/// held for one or two, the worker fell behind and delivery latency grew a tail. Short polls cost a
/// wake-up each while another process writes, nothing otherwise.
final class SQLiteBusyWait {
    private let timeout: Duration
    private var firstTry = ContinuousClock.now

    init(timeoutMilliseconds: Int32) {
        timeout = .milliseconds(Int(max(timeoutMilliseconds, 0)))
    }

    /// Installs the handler on `db`; the caller keeps `self` alive as long as `db` is open.
    func install(on db: OpaquePointer) {
        sqlite3_busy_handler(db, { context, tries in
            guard let context else { return 0 }
            return Unmanaged<SQLiteBusyWait>.fromOpaque(context).takeUnretainedValue().shouldRetry(tries: tries) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called by SQLite with the number of times it already asked for this lock: true to try again
    /// after a short sleep, false to give up (the statement fails with `SQLITE_BUSY`).
    private func shouldRetry(tries: Int32) -> Bool {
        if tries == 0 { firstTry = .now }
        guard ContinuousClock.now - firstTry < timeout else { return false }
        usleep(tries < 25 ? 200 : 1_000)
        return true
    }
}
