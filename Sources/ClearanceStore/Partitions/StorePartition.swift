import Foundation

/// One partition of a ``PartitionedTable``: the parent ids `low..<high` it holds, and whether it was
/// detached for archiving (then an ordinary table under the same name, to dump and drop).
public struct StorePartition: Sendable, Equatable {
    public var name: String
    public var table: PartitionedTable
    public var low: Int64
    public var high: Int64
    public var createdAt: Date
    /// When maintenance detached it (retention); nil while attached.
    public var detachedAt: Date?
    /// When it was last attached again from the archive; retention keeps it one period from then.
    public var reattachedAt: Date?

    public init(name: String, table: PartitionedTable, low: Int64, high: Int64, createdAt: Date, detachedAt: Date? = nil,
                reattachedAt: Date? = nil) {
        self.name = name
        self.table = table
        self.low = low
        self.high = high
        self.createdAt = createdAt
        self.detachedAt = detachedAt
        self.reattachedAt = reattachedAt
    }
}
