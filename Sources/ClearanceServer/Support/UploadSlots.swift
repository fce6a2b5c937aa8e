import Synchronization

/// Bounds the batch uploads in progress, per API key and overall. Each upload holds a streaming
/// parser, a store session and a connection for as long as its client takes; without a bound, a
/// few keys (or one) opening many slow uploads would take them all.
final class UploadSlots: Sendable {
    /// Why no slot was given.
    enum Refusal: Error {
        /// The key has ``perKey`` uploads in progress (answered 429).
        case key
        /// The service has ``total`` uploads in progress (answered 503).
        case service
    }

    let perKey: Int
    let total: Int
    private let state = Mutex<(byKey: [String: Int], total: Int)>(([:], 0))

    init(perKey: Int, total: Int) {
        self.perKey = max(1, perKey)
        self.total = max(1, total)
    }

    /// Takes a slot for `key`; the lease gives it back when released or dropped.
    func acquire(_ key: String) throws(Refusal) -> Lease {
        try state.withLock { (state) throws(Refusal) in
            guard state.total < total else { throw .service }
            guard state.byKey[key, default: 0] < perKey else { throw .key }
            state.byKey[key, default: 0] += 1
            state.total += 1
        }
        return Lease(slots: self, key: key)
    }

    /// Uploads in progress.
    var inUse: Int { state.withLock { $0.total } }

    fileprivate func release(_ key: String) {
        state.withLock { state in
            state.total -= 1
            let left = state.byKey[key, default: 1] - 1
            state.byKey[key] = left > 0 ? left : nil
        }
    }

    /// One upload's slot. Released once, explicitly or — should the upload's response be dropped
    /// without running — when the last reference goes.
    final class Lease: Sendable {
        private let slots: UploadSlots
        private let key: String
        private let released = Atomic(false)

        fileprivate init(slots: UploadSlots, key: String) {
            self.slots = slots
            self.key = key
        }

        func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { slots.release(key) }
        }

        deinit { release() }
    }
}
