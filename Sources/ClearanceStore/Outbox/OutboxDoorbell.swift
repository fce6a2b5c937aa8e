import Foundation

/// Rung when a write in this process that queued outbox rows has committed, so a delivery worker
/// sleeping between polls starts at once instead of at its next poll (in `clearance serve` the
/// intake and the worker share the process; rows queued by other processes are still found by
/// the poll).
///
/// A waiter passes the ``generation`` it read before its last claim: a ring after that read, even
/// one that came before the wait began, ends the wait, so no wake-up is lost between a claim that
/// found nothing and the sleep after it.
public final class OutboxDoorbell: @unchecked Sendable {
    private let lock = NSLock()
    private var rung: UInt64 = 0
    private var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextWaiter = 0

    /// Creates a doorbell.
    public init() {}

    /// How many times it has rung.
    public var generation: UInt64 { lock.withLock { rung } }

    /// Wakes every waiter.
    public func ring() {
        let woken = lock.withLock { () -> [CheckedContinuation<Bool, Never>] in
            rung &+= 1
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in woken { waiter.resume(returning: true) }
    }

    /// Returns once it has rung since `generation` (true), after `timeout` seconds or when the task
    /// is cancelled (false), whichever comes first.
    @discardableResult
    public func wait(after generation: UInt64, timeout: TimeInterval) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.ringing(after: generation) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1e9))
                return false
            }
            let rung = await group.next() ?? false
            group.cancelAll()
            return rung
        }
    }

    private func ringing(after generation: UInt64) async -> Bool {
        let id = lock.withLock { () -> Int in
            nextWaiter += 1
            return nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
                let now = lock.withLock { () -> Bool? in
                    if rung != generation { return true }
                    // A cancellation that came before the waiter was registered found nothing to resume.
                    if Task.isCancelled { return false }
                    waiters[id] = waiter
                    return nil
                }
                if let now { waiter.resume(returning: now) }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }
}
