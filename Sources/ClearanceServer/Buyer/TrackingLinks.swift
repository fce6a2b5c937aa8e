import ClearanceStore
import Synchronization

/// Where the buyer page's link key comes from: the configured secret (`CLEARANCE_TRACKING_SECRET`,
/// ``ServerConfiguration/trackingSecret``) or else a random per-database one the store creates on first
/// use (``AccessStore/storeSecret(named:)``), read once and kept.
final class TrackingLinks: Sendable {
    private let store: any AccessStore
    private let configured: [UInt8]?
    private let cached = Mutex<TrackingLink?>(nil)

    /// The store secret's name.
    static let secretName = "tracking_link_key"

    init(store: any AccessStore, configured: [UInt8]?) {
        self.store = store
        self.configured = configured
    }

    /// The link maker and checker.
    func link() async throws -> TrackingLink {
        if let link = cached.withLock({ $0 }) { return link }
        let key: [UInt8]
        if let configured { key = configured } else { key = try await store.storeSecret(named: Self.secretName) }
        let link = TrackingLink(key: key)
        cached.withLock { $0 = link }
        return link
    }
}
