import ClearanceRouting
import ClearanceStore
import Foundation
import Logging

/// Everything the controllers share: the store, the clearance flow, receipt processing,
/// metrics, templates and limits. Built once per application.
public struct ServiceEnvironment: Sendable {
    /// The store (messages, declarations, accounts, batches…).
    public let store: any AccessStore
    /// Validation, cross-message rules and routing of single messages.
    public let flow: ClearanceFlow
    /// The same rules and routing for uploaded batches, once stored.
    public let batchForwarder: BatchForwarder
    /// Ops' release or refusal of messages held for credit review.
    public let holdReview: HoldReview
    /// Customs receipts posted to the service.
    public let receipts: ReceiptProcessor
    /// customs' real-time payment data requests and the platforms' deposits of the originals.
    public let paymentData: PaymentDataDesk
    /// Single messages, declarations and receipts alike: who may send them, signatures, then flow or receipts.
    public let intake: MessageIntake
    /// Limits and listening address.
    public let configuration: ServerConfiguration
    /// Prometheus metrics.
    public let metrics: ServiceMetrics
    /// Server-rendered pages.
    public let views: ViewRenderer
    /// Per-key rate limits.
    public let rateLimiter: RateLimiter
    /// Request and application log (every line scrubbed of personal data).
    public let logger: Logger
    /// The buyer page's links (key from the configuration or the store).
    let trackingLinks: TrackingLinks
    /// Buyer-page lookups per client address, and per order number.
    let trackByAddress: RateLimiter
    let trackByOrder: RateLimiter
    /// Open live-update streams of buyer pages, per client address and in all.
    let trackStreams: UploadSlots

    /// Builds the environment.
    /// - Parameter routing: the routing table in force (e.g. a watcher's `current`).
    public init(
        store: any AccessStore, configuration: ServerConfiguration, routing: @escaping @Sendable () -> RoutingTable,
        metrics: ServiceMetrics = ServiceMetrics(), logger: Logger = Logger(label: "clearance.server")
    ) throws(ServerError) {
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        flow = ClearanceFlow(store: store, routing: routing, logger: logger)
        batchForwarder = flow.batchForwarder
        holdReview = HoldReview(store: store, routing: routing)
        receipts = ReceiptProcessor(store: store, logger: logger)
        guard let paymentStore = store as? any Store & PaymentDataStore else {
            throw .configuration("the store keeps no real-time payment data (PaymentDataStore)")
        }
        paymentData = PaymentDataDesk(store: paymentStore, table: routing)
        intake = MessageIntake(
            store: store, flow: flow, receipts: receipts, routing: routing,
            options: MessageIntake.Options(requireSignatureWhenRegistered: configuration.requireSignatureWhenRegistered))
        views = try ViewRenderer()
        rateLimiter = RateLimiter(ratePerSecond: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst)
        trackingLinks = TrackingLinks(store: store, configured: configuration.trackingSecret)
        trackByAddress = RateLimiter(
            ratePerSecond: configuration.trackAttemptsPerAddress.perHour / 3600, burst: configuration.trackAttemptsPerAddress.burst)
        trackByOrder = RateLimiter(
            ratePerSecond: configuration.trackAttemptsPerOrder.perHour / 3600, burst: configuration.trackAttemptsPerOrder.burst)
        trackStreams = UploadSlots(perKey: configuration.trackStreams.perAddress, total: configuration.trackStreams.total)
    }
}

/// Why the service could not start or a request could not be served.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// A compiled-in template does not parse.
    case resource(String)
    /// The store failed at start-up.
    case store(StoreError)
    /// The configuration is unusable.
    case configuration(String)

    public var description: String {
        switch self {
        case .resource(let why): "resource: \(why)"
        case .store(let error): "store: \(error)"
        case .configuration(let why): "configuration: \(why)"
        }
    }
}
