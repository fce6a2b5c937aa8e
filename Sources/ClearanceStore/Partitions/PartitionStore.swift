import Foundation

/// Partition maintenance: `clearance partitions`, and hourly inside `clearance serve`.
public protocol PartitionStore: Sendable {
    /// Makes partitions ahead of the newest ids (moving any rows the default partitions took into
    /// them) and, with a retention, detaches the partitions past it that hold nothing in flight.
    /// Each step is its own transaction, serialised across processes; SQLite reports
    /// ``PartitionReport/partitioned`` false and changes nothing.
    func maintainPartitions(_ policy: PartitionPolicy, now: Date) async throws(StoreError) -> PartitionReport

    /// Attaches the detached partition `name` again, once its table is back in the database (say
    /// `pg_restore -t NAME` of its archive): PostgreSQL checks every row lies in its range, its
    /// messages and lines read whole again, and retention keeps it one period from `now`; every
    /// index of its table that the parent lacks is dropped (and named in the answer).
    /// - Throws: ``StoreError/invalidInput(_:)`` on SQLite, for a partition never made or still
    ///   attached; ``StoreError/notFound(_:)`` when its table is not in the database; the
    ///   statement's error (SQLSTATE `55P03` when the table stayed busy past `policy.lockTimeout`)
    ///   when PostgreSQL refuses to attach it.
    func reattachPartition(named name: String, policy: PartitionPolicy, now: Date) async throws(StoreError) -> PartitionReattachment
}
