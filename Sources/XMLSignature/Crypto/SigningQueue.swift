import Foundation

/// A bounded queue in front of a key whose signatures run somewhere slow or serial (a PKCS#11 token).
///
/// Smart cards and many HSM modules do one operation at a time; without a bound, a burst of signatures
/// would park every thread that asks (the delivery worker's, the server's) inside the module and the
/// service would stall behind the token. Here at most `concurrent` signatures are in the module, at most
/// `waiting` more wait for their turn (each at most `timeoutSeconds`), and anything beyond that is refused at
/// once with `signingQueueFull` (KEY008) — the caller (the outbox) retries later instead of piling up.
///
/// `@unchecked Sendable`: the counters are guarded by `condition`.
public final class SigningQueue: @unchecked Sendable {
    /// How the queue is bounded.
    public struct Limits: Sendable, Hashable {
        /// Signatures in the module at once (PKCS#11 sessions in use).
        public var concurrent: Int
        /// Signatures that may wait for a turn; more are refused at once.
        public var waiting: Int
        /// Longest wait for a turn before `signingTimedOut` (KEY009).
        public var timeoutSeconds: Double

        /// Limits; the defaults suit SoftHSM and network HSMs (parallel sessions). For a smart card that
        /// serialises, `concurrent: 1` keeps the queue here, visible in the metrics, rather than in the driver.
        public init(concurrent: Int = 8, waiting: Int = 256, timeoutSeconds: Double = 30) {
            self.concurrent = max(1, concurrent)
            self.waiting = max(0, waiting)
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// The bounds.
    public let limits: Limits
    private let condition = NSCondition()
    private var inModule = 0
    private var queued = 0

    /// A queue with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Runs `body` once a turn is free; throws KEY008/KEY009 instead of waiting without bound. The key's
    /// signatures run here; other work that must not overlap them on the token (an operator's maintenance
    /// call, a test holding the token busy) can take a turn too.
    public func run<R>(_ body: () throws(CryptoError) -> R) throws(CryptoError) -> R {
        try enter()
        defer { leave() }
        return try body()
    }

    /// Signatures waiting for a turn right now.
    public var waitingNow: Int {
        condition.lock()
        defer { condition.unlock() }
        return queued
    }

    private func enter() throws(CryptoError) {
        condition.lock()
        defer { condition.unlock() }
        if inModule < limits.concurrent {
            inModule += 1
            return
        }
        guard queued < limits.waiting else { throw .signingQueueFull(limit: limits.waiting) }
        queued += 1
        defer { queued -= 1 }
        let deadline = Date(timeIntervalSinceNow: limits.timeoutSeconds)
        while inModule >= limits.concurrent {
            if !condition.wait(until: deadline), inModule >= limits.concurrent {
                throw .signingTimedOut(seconds: limits.timeoutSeconds)
            }
        }
        inModule += 1
    }

    private func leave() {
        condition.lock()
        inModule -= 1
        condition.signal()
        condition.unlock()
    }
}
