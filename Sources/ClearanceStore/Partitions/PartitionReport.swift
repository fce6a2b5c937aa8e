/// What one run of ``PartitionStore/maintainPartitions(_:now:)`` did, and the partitions after it.
public struct PartitionReport: Sendable {
    /// Why a partition past retention stays attached.
    public enum Hold: String, Sendable {
        /// A delivery of one of its messages is pending or in flight.
        case deliveriesPending = "deliveries pending"
        /// One of its messages is still being ingested (or its ingest was interrupted).
        case incompleteMessages = "incomplete messages"
        /// One of its declarations (for raw parts: of its messages) waits for documents or an
        /// operator's review; its release forwards the stored message.
        case declarationsWaiting = "declarations waiting"
        /// Another transaction held the table past the policy's lock timeout; the next run tries again.
        case tableBusy = "table busy"
        /// Attached again from the archive less than one retention period ago.
        case reattached = "reattached"
        /// Declarations of this calendar year (China time): a buyer's annual quota adds them up.
        case quotaYear = "quota year"
    }

    /// A partition past retention that stays attached, and why.
    public struct Kept: Sendable {
        public var partition: StorePartition
        public var hold: Hold
    }

    /// False on SQLite, which keeps one table each (nothing else is filled in).
    public var partitioned: Bool
    public var created: [StorePartition] = []
    /// Rows moved out of the default partitions into partitions made for them.
    public var rowsMoved = 0
    /// Tables whose partitions could not be made ahead this run: another transaction held a lock
    /// past the policy's lock timeout. Writes still land (in the default partition, moved later).
    public var busy: [PartitionedTable] = []
    public var detached: [StorePartition] = []
    /// Stored answers past retention deleted (``SQLStore/pruneAnswers(before:)``): a message sent
    /// again after that is judged again, a duplicate of the stored one, instead of answered byte
    /// for byte as before.
    public var answersPruned = 0
    public var kept: [Kept] = []
    /// Every partition, attached or detached, by table and range.
    public var partitions: [StorePartition] = []

    public init(partitioned: Bool) { self.partitioned = partitioned }
}
