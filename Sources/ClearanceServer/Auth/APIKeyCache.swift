import ClearanceStore
import Foundation
import Synchronization

/// The enterprises of recently presented API keys, each kept for ``ttl``.
///
/// Every authenticated request asks the store which enterprise owns its key: one statement, and on
/// the service's side a hop to the store's engine thread and back, for an answer that almost never
/// changes. Kept for a second (`clearance serve --api-key-cache`), a busy key is looked up about once
/// a second instead of once a request. The price: a key revoked (or an enterprise changed) with
/// `clearance enterprise`, another process, is still honoured by a running service for at most
/// ``ttl``. `0` turns the cache off. Only keys the store knows are kept (an unknown key is asked
/// every time, so a key just created works at once), and at most ``maxKeys``: past that the
/// expired entries go, then all.
public final class APIKeyCache: Sendable {
    private struct Entry {
        var enterprise: EnterpriseRecord
        var expires: ContinuousClock.Instant
    }
    /// How long an answer is reused; zero: never.
    public let ttl: Duration
    /// Most keys kept at once.
    public let maxKeys: Int
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates a cache keeping each answer `seconds` (clamped to 0…60).
    public init(seconds: Double, maxKeys: Int = 10_000) {
        ttl = .milliseconds(Int64((min(60, max(0, seconds)) * 1000).rounded()))
        self.maxKeys = max(1, maxKeys)
    }

    /// Keys held now.
    var count: Int { entries.withLock { $0.count } }

    /// The enterprise owning the active key with this hash: kept, or `load`ed and kept.
    public func enterprise(
        apiKeyHash hash: String, now: ContinuousClock.Instant = .now,
        load: (String) async throws(StoreError) -> EnterpriseRecord?
    ) async throws(StoreError) -> EnterpriseRecord? {
        guard ttl > .zero else { return try await load(hash) }
        if let kept = entries.withLock({ $0[hash] }), kept.expires > now { return kept.enterprise }
        guard let enterprise = try await load(hash) else {
            entries.withLock { _ = $0.removeValue(forKey: hash) }
            return nil
        }
        entries.withLock { entries in
            entries[hash] = Entry(enterprise: enterprise, expires: now + ttl)
            if entries.count > maxKeys { entries = entries.filter { $0.value.expires > now } }
            if entries.count > maxKeys { entries = [hash: Entry(enterprise: enterprise, expires: now + ttl)] }
        }
        return enterprise
    }
}
