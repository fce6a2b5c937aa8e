import ClearanceStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs partition maintenance inside `clearance serve`: at start and then every `interval`
/// (partitions made ahead, default rows moved, retention), so a service left alone never writes
/// into a default partition. Any number of instances may run it: maintenance serialises itself.
public struct PartitionService: Service {
    let store: any PartitionStore
    let policy: PartitionPolicy
    let interval: Duration
    let logger: Logger

    public init(store: any PartitionStore, policy: PartitionPolicy, interval: Duration = .seconds(3_600), logger: Logger) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await store.maintainPartitions(policy, now: Date())
                for p in report.created { logger.info("partition made", metadata: ["name": "\(p.name)", "low": "\(p.low)", "high": "\(p.high)"]) }
                if report.rowsMoved > 0 { logger.warning("rows moved out of default partitions", metadata: ["rows": "\(report.rowsMoved)"]) }
                if report.answersPruned > 0 { logger.info("stored answers past retention deleted", metadata: ["answers": "\(report.answersPruned)"]) }
                for p in report.detached { logger.notice("partition detached for archiving", metadata: ["name": "\(p.name)"]) }
                for table in report.busy {
                    logger.warning("partitions not made ahead: table busy past the lock timeout", metadata: ["table": "\(table.rawValue)"])
                }
                for kept in report.kept where kept.hold == .tableBusy {
                    logger.warning("partition not detached: table busy past the lock timeout", metadata: ["name": "\(kept.partition.name)"])
                }
            } catch {
                logger.error("partition maintenance failed", metadata: ["error": "\(error)"])
            }
            // Until the next round or a graceful shutdown (SIGTERM), whichever comes first: a plain
            // sleep kept `clearance serve` alive for up to the whole interval after SIGTERM.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
