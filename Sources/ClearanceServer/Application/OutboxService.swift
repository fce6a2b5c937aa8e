import ClearanceRouting
import ClearanceStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs the outbox delivery worker inside `clearance serve` (any number of instances may run
/// against one PostgreSQL: claims never hand the same row to two workers) and feeds its delivery
/// latencies to `/metrics`.
public struct OutboxService: Service {
    let worker: DeliveryWorker
    let metrics: ServiceMetrics
    let logger: Logger

    /// Creates the service.
    public init(worker: DeliveryWorker, metrics: ServiceMetrics, logger: Logger) {
        self.worker = worker
        self.metrics = metrics
        self.logger = logger
    }

    /// Claims and delivers until cancelled (graceful shutdown), pausing when idle.
    public func run() async throws {
        let idle = UInt64(max(0.05, worker.policy.idlePollSeconds) * 1e9)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let round = try await worker.runOnce()
                metrics.deliveries(round.latencies)
                if round.claimed == 0 { try? await Task.sleep(nanoseconds: idle) }
            } catch {
                logger.error("outbox round failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(nanoseconds: 1_000_000_000)
            }
        }
    }
}
