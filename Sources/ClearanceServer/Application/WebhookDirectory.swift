import ClearanceRouting
import ClearanceStore
import Foundation
import Synchronization

/// Resolves `webhook-<code>` outbox destinations from the store for the delivery worker, with a
/// short cache: a webhook registered, changed (URL or secret) or removed with
/// `clearance enterprise …` while the service runs is used within ``cacheSeconds``. Every
/// instance sharing a PostgreSQL store sees the same registrations.
public final class WebhookDirectory: DestinationDirectory {
    /// How long a looked-up destination (or its absence) is reused.
    public let cacheSeconds: Double
    private let store: any AccessStore
    private let cache = Mutex<[String: (config: DestinationConfig?, until: ContinuousClock.Instant)]>([:])

    /// Creates a directory over `store`.
    public init(store: any AccessStore, cacheSeconds: Double = 5) {
        self.store = store
        self.cacheSeconds = cacheSeconds
    }

    public func destination(named name: String) async throws -> DestinationConfig? {
        guard let code = Webhooks.enterpriseCode(destination: name) else { return nil }
        let now = ContinuousClock.now
        if let hit = cache.withLock({ $0[name] }), hit.until > now { return hit.config }
        let config = try await store.enterprise(code: code).flatMap(Webhooks.destination(for:))
        let until = now + .milliseconds(Int64(cacheSeconds * 1000))
        cache.withLock { $0[name] = (config, until) }
        return config
    }
}
