import Foundation

/// A dedicated OS thread that owns one connection and runs jobs on it one at a time.
///
/// Blocking C calls (sqlite3_step, PQexec…) run here, never on the Swift concurrency pool.
/// Async callers are bridged with a checked continuation.
///
/// `@unchecked Sendable`: the mutable state (`jobs`, `stopped`) is only touched while holding
/// `condition`, and `connection` is only touched by jobs, which all run on the one thread.
final class EngineThread<Connection: AnyObject>: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var head = 0
    private var stopped = false
    private var connection: Connection?
    private let name: String

    private init(name: String) {
        self.name = name
    }

    /// Starts a thread and opens its connection on it.
    static func start(
        name: String, open: @escaping @Sendable () throws(StoreError) -> Connection
    ) async throws(StoreError) -> EngineThread {
        let worker = EngineThread(name: name)
        let thread = Thread { [worker] in worker.loop() }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
        let result: Result<Void, StoreError> = await withCheckedContinuation { continuation in
            worker.enqueue {
                do throws(StoreError) {
                    worker.connection = try open()
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        if case .failure(let error) = result {
            worker.stop()
            throw error
        }
        return worker
    }

    /// Runs `body` with the connection on the thread.
    func run<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let accepted = enqueue { [self] in
                guard let connection else {
                    continuation.resume(returning: .failure(.closed))
                    return
                }
                do throws(StoreError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Closes the connection on the thread, then lets the thread exit. Idempotent.
    func shutdown(close: @escaping @Sendable (Connection) -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = enqueue { [self] in
                if let connection { close(connection) }
                connection = nil
                continuation.resume()
            }
            if !accepted { continuation.resume() }
            stop()
        }
    }

    @discardableResult
    private func enqueue(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Marks the thread stopped; already queued jobs still run.
    private func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count && !stopped { condition.wait() }
            if head == jobs.count && stopped {
                condition.unlock()
                return
            }
            let job = jobs[head]
            // Drop the queue's reference now: a finished job must not keep what it captured
            // (an ingest chunk's rows and raw parts) alive until the queue is compacted.
            jobs[head] = {}
            head += 1
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
