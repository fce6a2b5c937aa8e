import ClearanceStore
import Synchronization

/// The orders, payments and waybills this process's flow is storing right now, by the number an
/// inventory names them with, so an inventory judged meanwhile can wait for their commit instead of
/// being stored as waiting and released afterwards.
///
/// A shipment's documents and its inventory often arrive together (a platform sending a shipment's
/// messages at once, `submit --jobs N`, concurrent requests). Judged before its order's transaction
/// committed, the inventory was stored waiting, and the order's commit then released it in a
/// transaction of its own, its message read back: in `bench_flow.py` (32 at once) 988 of 1,000
/// inventories went that way, a quarter of PostgreSQL's statement time. Here an inventory whose
/// documents are missing waits (at most ``ClearanceFlow``'s patience) until none of the documents
/// it names is being stored, then is judged once more. Only a shortcut: a document registered after
/// the inventory looked still releases it after its own commit, as before; other processes are
/// not seen.
public final class DocumentsInFlight: Sendable {
    /// A number a waiting inventory names its documents by: an order's or payment's `orderNo`, a
    /// waybill's `logisticsNo`.
    public struct Key: Hashable, Sendable {
        public let column: LinkedNumber
        public let number: String

        public init(_ column: LinkedNumber, _ number: String) {
            self.column = column
            self.number = number
        }
    }

    private struct Waiter {
        let keys: [Key]
        let continuation: CheckedContinuation<Bool, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var storing: [Key: Int] = [:]
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0

        func busy(_ keys: [Key]) -> Bool { keys.contains { storing[$0] != nil } }
    }

    private let state = Mutex(State())

    public init() {}

    /// How many inventories wait for documents being stored now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// The numbers these declarations are linked by (``LinkedNumber``), with which they would
    /// complete a waiting inventory.
    public static func keys(of declarations: [DeclarationRecord]) -> [Key] {
        declarations.compactMap { declaration -> Key? in
            guard let column = LinkedNumber(declaration.kind), let number = column.value(in: declaration) else { return nil }
            return Key(column, number)
        }
    }

    /// Marks `keys` as being stored (until ``end(_:)`` with the same keys).
    public func begin(_ keys: [Key]) {
        guard !keys.isEmpty else { return }
        state.withLock { state in
            for key in keys { state.storing[key, default: 0] += 1 }
        }
    }

    /// Ends a ``begin(_:)``: wakes the waiters none of whose keys is being stored any more.
    public func end(_ keys: [Key]) {
        guard !keys.isEmpty else { return }
        let woken = state.withLock { state -> [Waiter] in
            for key in keys {
                let left = (state.storing[key] ?? 1) - 1
                state.storing[key] = left > 0 ? left : nil
            }
            let ready = state.waiters.filter { !state.busy($0.value.keys) }
            for id in ready.keys { state.waiters[id] = nil }
            return Array(ready.values)
        }
        for waiter in woken {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: true)
        }
    }

    /// Waits until none of `keys` is being stored, for at most `patience`: true when one was and
    /// every one ended meanwhile; false at once when none was, and false when the patience ran out.
    public func settled(_ keys: [Key], patience: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let id = state.withLock { state -> Int? in
                guard state.busy(keys) else { return nil }
                state.nextWaiter += 1
                state.waiters[state.nextWaiter] = Waiter(keys: keys, continuation: continuation)
                return state.nextWaiter
            }
            guard let id else { return continuation.resume(returning: false) }
            let timer = Task { [self] in
                try? await Task.sleep(for: patience)
                guard !Task.isCancelled, let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
                waiter.continuation.resume(returning: false)
            }
            // Woken already (the documents ended before the timer was kept): the timer has nothing to do.
            let kept = state.withLock { state -> Bool in
                guard state.waiters[id] != nil else { return false }
                state.waiters[id]?.timer = timer
                return true
            }
            if !kept { timer.cancel() }
        }
    }
}
