import Foundation
import Synchronization

/// Token buckets per key (an API key, a client address, an order number): `ratePerSecond` steady,
/// `burst` at most. Thread-safe. At most `maxKeys` buckets are kept: past that, buckets that have
/// refilled (a full bucket is the same as none) and then the least recently used are dropped, so keys
/// chosen by strangers (addresses, typed order numbers) cannot grow memory without bound.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let ratePerSecond: Double
    private let burst: Double
    private let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Creates a limiter.
    public init(ratePerSecond: Double, burst: Double, maxKeys: Int = 100_000) {
        self.ratePerSecond = max(0.001, ratePerSecond)
        self.burst = max(1, burst)
        self.maxKeys = max(1, maxKeys)
    }

    /// Buckets held now.
    var count: Int { buckets.withLock { $0.count } }

    /// Takes one token for `key`; returns nil when allowed, or the seconds to wait.
    public func take(_ key: String, now: ContinuousClock.Instant = .now) -> Double? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * ratePerSecond)
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > maxKeys { prune(&buckets, now: now) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / ratePerSecond
        }
    }

    /// Drops refilled buckets, then the least recently used, down to three quarters of ``maxKeys``.
    private func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let target = maxKeys - maxKeys / 4
        buckets = buckets.filter { _, bucket in
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return bucket.tokens + seconds * ratePerSecond < burst
        }
        guard buckets.count > target else { return }
        for (key, _) in buckets.sorted(by: { $0.value.updated < $1.value.updated }).prefix(buckets.count - target) {
            buckets[key] = nil
        }
    }
}
