import ClearanceRouting
import ClearanceStore
import Foundation
import ServiceLifecycle

/// Runs the outbox delivery worker inside `clearance serve` (any number of instances may run
/// against one PostgreSQL: claims never hand the same row to two workers) and feeds its delivery
/// latencies to `/metrics`.
public struct OutboxService: Service {
    let worker: DeliveryWorker
    let metrics: ServiceMetrics

    /// Creates the service.
    public init(worker: DeliveryWorker, metrics: ServiceMetrics) {
        self.worker = worker
        self.metrics = metrics
    }

    /// Claims and delivers until cancelled or shut down gracefully, pausing when idle
    /// (``DeliveryWorker/run(latencySample:stop:eachRound:)``).
    public func run() async throws {
        let metrics = self.metrics
        await worker.run(latencySample: 0, stop: { Task.isShuttingDownGracefully }, eachRound: { metrics.deliveries($0.latencies) })
    }
}
