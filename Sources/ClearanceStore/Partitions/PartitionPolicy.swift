import Foundation

/// How ``PartitionStore/maintainPartitions(_:now:)`` keeps the partitioned tables.
///
/// Partitions divide parent ids, not dates: each new one spans as many ids as the last `period`
/// used (at least `minimumSpan`), so it holds about one period's rows, and `ahead` of them are kept
/// ready beyond the newest id so writes land in a partition of their own, not the default one.
public struct PartitionPolicy: Sendable, Equatable {
    /// The time one partition is meant to hold (default 30 days).
    public var period: TimeInterval
    /// Partitions of `period`'s size kept ready beyond the newest id (at least 1).
    public var ahead: Int
    /// The fewest parent ids a new partition spans (a young or quiet store still gets partitions
    /// of a useful size).
    public var minimumSpan: Int64
    /// Detach partitions whose newest parent arrived longer ago than this, once nothing in them is
    /// in flight; nil keeps everything.
    public var retention: TimeInterval?
    /// How long one step waits for a table lock (`lock_timeout`). Attaching and detaching need
    /// locks that queue every later reader and writer of the table behind them, so a step that
    /// cannot have its lock soon gives up, leaves the table for the next run and says so, rather
    /// than stall the service behind a long report or dump.
    public var lockTimeout: TimeInterval

    public init(period: TimeInterval = 30 * 86_400, ahead: Int = 2, minimumSpan: Int64 = 100_000, retention: TimeInterval? = nil,
                lockTimeout: TimeInterval = 2) {
        self.period = period
        self.ahead = max(1, ahead)
        self.minimumSpan = max(1, minimumSpan)
        self.retention = retention
        self.lockTimeout = max(0.001, lockTimeout)
    }
}
