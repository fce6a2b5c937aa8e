import Synchronization

/// Releases of one waiting message asked for at once in this process: one runs, the others join it.
///
/// The documents of a shipment that arrive together each try, after their own commit, to release
/// the inventory they complete. Each did the whole evaluation (the stored inventory read and decoded,
/// its linked documents, the buyer's quota, the credit screen) and all but one then found it moved
/// by the winner: `bench_flow.py` with 32 at once on PostgreSQL made 2,278 release moves for 984
/// inventories. Here the first release of a message runs; one asked for while it runs adds its
/// inventories to a pending set and returns, and the first runs again with that set when it ends.
/// A document is committed before its release is asked for, so that rerun sees it: coalescing
/// loses no release. Other processes are not coordinated (the guarded move still lets each inventory
/// go once).
public final class ReleaseCoalescer: Sendable {
    /// Message guid → inventories asked for while its release runs (present: a release runs).
    private let running = Mutex<[String: Set<String>]>([:])

    public init() {}

    /// Registers a release of `inventories` of the message `guid`: true when the caller runs it,
    /// false when a release of that message is running and will run again for them.
    func begin(_ guid: String, _ inventories: Set<String>) -> Bool {
        running.withLock { running in
            if let pending = running[guid] {
                running[guid] = pending.union(inventories)
                return false
            }
            running[guid] = []
            return true
        }
    }

    /// Ends a run of the message `guid`: the inventories asked for meanwhile, which the caller
    /// releases next (and then calls `end` again), or nil when none were and the release is over.
    func end(_ guid: String) -> Set<String>? {
        running.withLock { running in
            guard let pending = running[guid], !pending.isEmpty else {
                running[guid] = nil
                return nil
            }
            running[guid] = []
            return pending
        }
    }
}
