import ClearanceTestSupport
@testable import ClearanceStore
import Foundation
import Testing

/// A connection waiting for another connection's write lock (``SQLiteBusyWait``) gets it once it is
/// let go, and gives up with `SQLITE_BUSY` once its timeout has passed. No speed is asserted (that is
/// `bench_flow.py`'s): the holder lets go only when the test says so.
@Suite struct SQLiteBusyWaitTests {
    /// A new database file with a table `t`, and a connection holding its write lock (an open write transaction).
    static func holdingTheWriteLock() throws -> (path: String, holder: SQLiteConnection) {
        let path = scratchDirectory("sqlite-busy") + "/store.sqlite"
        let holder = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1_000)
        try holder.executeScript("CREATE TABLE t (x INTEGER)")
        try holder.beginWrite(keyProbes: false)
        return (path, holder)
    }

    @Test("a writer waiting for another connection's lock writes once it is let go")
    func waitsForTheLock() async throws {
        let (path, holder) = try Self.holdingTheWriteLock()
        try holder.execute("INSERT INTO t VALUES (1)", [])
        let waiting = Task.detached { () -> Result<Int, StoreError> in
            do throws(StoreError) {
                let waiter = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 600_000)
                try waiter.beginWrite(keyProbes: false)
                try waiter.execute("INSERT INTO t VALUES (2)", [])
                try waiter.executeScript("COMMIT")
                return .success(try waiter.query("SELECT count(*) FROM t", []).first?.int(0) ?? -1)
            } catch {
                return .failure(error)
            }
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        try holder.executeScript("COMMIT")
        #expect(try await waiting.value.get() == 2, "both rows, the waiter's after the holder's commit")
    }

    @Test("a writer gives up with SQLITE_BUSY once its timeout has passed")
    func givesUpAfterTheTimeout() async throws {
        let (path, holder) = try Self.holdingTheWriteLock()
        let started = ContinuousClock.now
        // The holder keeps the lock until the waiter has given up.
        let outcome = await Task.detached { () -> Result<Void, StoreError> in
            do throws(StoreError) {
                let waiter = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 200)
                try waiter.beginWrite(keyProbes: false)
                return .success(())
            } catch {
                return .failure(error)
            }
        }.value
        let waited = ContinuousClock.now - started
        try holder.executeScript("ROLLBACK")
        guard case .failure(.statementFailed(_, _, _, let code?, _)) = outcome else {
            Issue.record("expected SQLITE_BUSY, got \(outcome)")
            return
        }
        #expect(code & 0xff == 5, "SQLITE_BUSY (5), got \(code)")
        #expect(waited >= .milliseconds(200), "it waited its timeout: \(waited)")
    }
}
