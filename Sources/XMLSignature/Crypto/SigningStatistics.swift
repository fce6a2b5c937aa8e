import Foundation

/// Signing latency of one key, for the service's metrics: how long each signature took (queue wait
/// included) and how many failed.
///
/// XMLSignature sits below the server and does not know its metrics library: the server registers an
/// observer (``observe(_:)``) that feeds its Prometheus histogram, and anyone can read a ``Snapshot``.
/// Recording costs a lock and a clock read, nothing next to an RSA signature.
///
/// `@unchecked Sendable`: the figures and observers are guarded by `lock`.
public final class SigningStatistics: @unchecked Sendable {
    /// The figures so far.
    public struct Snapshot: Sendable, Hashable {
        /// Signatures made.
        public var signatures = 0
        /// Signatures that failed (token errors, queue full, timeouts).
        public var failures = 0
        /// Sum of the signing times, in seconds.
        public var totalSeconds = 0.0
        /// The longest signing time, in seconds.
        public var maximumSeconds = 0.0
    }

    private let lock = NSLock()
    private var figures = Snapshot()
    private var observers: [@Sendable (_ seconds: Double, _ failed: Bool) -> Void] = []

    init() {}

    /// The figures so far.
    public func snapshot() -> Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return figures
    }

    /// Calls `observer` after every signature with its duration in seconds and whether it failed.
    public func observe(_ observer: @escaping @Sendable (_ seconds: Double, _ failed: Bool) -> Void) {
        lock.lock()
        observers.append(observer)
        lock.unlock()
    }

    /// Records one signature.
    func record(seconds: Double, failed: Bool) {
        lock.lock()
        if failed { figures.failures += 1 } else { figures.signatures += 1 }
        figures.totalSeconds += seconds
        figures.maximumSeconds = max(figures.maximumSeconds, seconds)
        let observers = self.observers
        lock.unlock()
        for observer in observers { observer(seconds, failed) }
    }
}
