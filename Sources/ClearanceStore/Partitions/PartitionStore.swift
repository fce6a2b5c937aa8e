import Foundation

/// Partition maintenance: `clearance partitions`, and hourly inside `clearance serve`.
public protocol PartitionStore: Sendable {
    /// Makes partitions ahead of the newest ids (moving any rows the default partitions took into
    /// them) and, with a retention, detaches the partitions past it that hold nothing in flight.
    /// Each step is its own transaction, serialised across processes; SQLite reports
    /// ``PartitionReport/partitioned`` false and changes nothing.
    func maintainPartitions(_ policy: PartitionPolicy, now: Date) async throws(StoreError) -> PartitionReport
}
