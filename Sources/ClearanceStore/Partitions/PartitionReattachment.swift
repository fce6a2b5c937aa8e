/// What ``PartitionStore/reattachPartition(named:policy:now:)`` did: the partition, attached again,
/// and the indexes of its table it dropped because the parent has none they belong to (one kept
/// from before a migration that dropped the parent's, or one made by hand on the archived table),
/// so an operator learns what went.
public struct PartitionReattachment: Sendable, Equatable {
    public var partition: StorePartition
    /// The dropped indexes' names, in name order.
    public var droppedIndexes: [String]

    public init(partition: StorePartition, droppedIndexes: [String] = []) {
        self.partition = partition
        self.droppedIndexes = droppedIndexes
    }
}
