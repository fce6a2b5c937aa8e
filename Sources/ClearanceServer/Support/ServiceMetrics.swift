import ClearanceStore
import Foundation
import Prometheus

/// The service's Prometheus metrics, in a registry of its own (one per application, so tests
/// and several apps in one process never share counters).
///
/// Counters and histograms are fed as requests are handled; the store-derived gauges (outbox rows,
/// depth and age, whether the store answers) come from ``StoreFigures``, read at most every few seconds.
public final class ServiceMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()

    let batchBytes: Counter
    let batchDocuments: Counter
    let batchSeconds: ValueHistogram
    let batchThroughput: ValueHistogram
    let requestSeconds: ValueHistogram
    let deliveryLatency: ValueHistogram
    let receiptLag: ValueHistogram
    let rateLimited: Counter
    let storeFigureReads: Counter

    static let secondsBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    /// A metric name with its help text (the name carries its unit, e.g. `_seconds`, `_total`).
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Creates the metrics.
    public init() {
        batchBytes = registry.makeCounter(descriptor: Self.named("clearance_batch_bytes_total", "Batch bytes received (decoded)"), labels: [])
        batchDocuments = registry.makeCounter(descriptor: Self.named("clearance_batch_documents_total", "Documents read from batches"), labels: [])
        batchSeconds = registry.makeValueHistogram(descriptor: Self.named("clearance_batch_duration_seconds", "Time from first to last byte of a batch, stored"), buckets: Self.secondsBuckets)
        batchThroughput = registry.makeValueHistogram(descriptor: Self.named("clearance_batch_throughput_bytes_per_second", "Batch upload throughput per batch"), buckets: [1e5, 1e6, 5e6, 1e7, 2.5e7, 5e7, 1e8, 2.5e8])
        requestSeconds = registry.makeValueHistogram(descriptor: Self.named("clearance_http_request_duration_seconds", "HTTP request handling time"), buckets: Self.secondsBuckets)
        deliveryLatency = registry.makeValueHistogram(descriptor: Self.named("clearance_delivery_latency_seconds", "From queueing an outbox row to its destination accepting it"), buckets: Self.secondsBuckets)
        receiptLag = registry.makeValueHistogram(descriptor: Self.named("clearance_receipt_lag_seconds", "From receiving a declaration to receiving its receipt"), buckets: Self.secondsBuckets)
        rateLimited = registry.makeCounter(descriptor: Self.named("clearance_rate_limited_total", "Requests refused by rate limits"), labels: [])
        storeFigureReads = registry.makeCounter(descriptor: Self.named("clearance_store_figure_reads_total", "Store queries made for /health and /metrics"), labels: [])
    }

    /// Counts one single message by type and verdict.
    public func message(type: String, verdict: String) {
        registry.makeCounter(descriptor: Self.named("clearance_messages_total", "Single messages received, by type and verdict"),
                             labels: [("type", type), ("verdict", verdict)]).increment()
    }

    /// Counts one finished batch.
    public func batch(status: String, bytes: Int64, documents: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.named("clearance_batches_total", "Batches by outcome"), labels: [("status", status)]).increment()
        batchBytes.increment(by: bytes)
        batchDocuments.increment(by: Int64(documents))
        batchSeconds.record(seconds)
        if seconds > 0 { batchThroughput.record(Double(bytes) / seconds) }
    }

    /// Records delivery latencies reported by the outbox worker.
    public func deliveries(_ latencies: [TimeInterval]) {
        for latency in latencies { deliveryLatency.record(max(0, latency)) }
    }

    /// Records one XML signature made with the service key (`keySource`: `pem` or `pkcs11`), queue wait
    /// included: `clearance_signing_duration_seconds` and, for failures (token errors, a full queue),
    /// `clearance_signing_failures_total`. Fed by the key's own statistics (XMLSignature knows no Prometheus).
    public func signed(seconds: Double, failed: Bool, keySource: String) {
        if failed {
            registry.makeCounter(descriptor: Self.named("clearance_signing_failures_total", "XML signatures that failed, by key source"),
                                 labels: [("key", keySource)]).increment()
            return
        }
        registry.makeValueHistogram(descriptor: Self.named("clearance_signing_duration_seconds", "Time to make one XML signature (token queue wait included), by key source"),
                                    labels: [("key", keySource)], buckets: Self.signingBuckets).record(max(0, seconds))
    }

    static let signingBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30]

    /// Sets the store-derived gauges from a reading (nil: the store failed; the outbox gauges keep
    /// their last values).
    func refresh(_ figures: OutboxFigures?, now: Date = .now) {
        registry.makeGauge(descriptor: Self.named("clearance_store_up", "1 when the store answered its last check"), labels: []).set(Double(figures == nil ? 0 : 1))
        guard let figures else { return }
        for (status, count) in figures.rows {
            registry.makeGauge(descriptor: Self.named("clearance_outbox_rows", "Outbox rows not delivered, by status"), labels: [("status", status.rawValue)]).set(Double(count))
        }
        registry.makeGauge(descriptor: Self.named("clearance_outbox_depth", "Outbox rows still to deliver (pending + in flight)"), labels: [])
            .set(Double(figures.depth))
        registry.makeGauge(descriptor: Self.named("clearance_outbox_oldest_age_seconds", "Age of the oldest row still to deliver"), labels: [])
            .set(figures.oldestUndelivered.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    /// Sets the group-commit gauges (single messages sharing store transactions) from the store's counts.
    func groupCommits(_ counts: GroupCommitCounts) {
        let gauges: [(String, String, Int)] = [
            ("clearance_group_commit_groups", "Store transactions that committed single messages together, since start", counts.groups),
            ("clearance_group_commit_writes", "Single messages written through group commit, since start", counts.jobs),
            ("clearance_group_commit_retried_alone", "Messages retried alone after their group's transaction failed, since start", counts.retriedAlone),
            ("clearance_group_commit_largest", "The largest group committed since start", counts.largestGroup),
        ]
        for (name, help, value) in gauges {
            registry.makeGauge(descriptor: Self.named(name, help), labels: []).set(Double(value))
        }
    }

    /// The exposition text.
    public func render() -> String { registry.emitToString() }
}
