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
        let idle = max(0.05, worker.policy.idlePollSeconds)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let mark = worker.pauseMark()
                let round = try await worker.runOnce()
                metrics.deliveries(round.latencies)
                // Rows queued by this process's intake end the pause at once; the poll finds other processes'.
                if round.claimed == 0 { await worker.pause(since: mark, seconds: idle) }
            } catch {
                logger.error("outbox round failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(nanoseconds: 1_000_000_000)
            }
        }
    }
}
