/// How much group commit has grouped: groups committed (one transaction each, or one per job
/// when a failed group was retried job by job) against the jobs they carried.
public struct GroupCommitCounts: Sendable, Hashable {
    /// Groups run (each one transaction when it succeeds).
    public var groups = 0
    /// Jobs handed in (answered or still waiting).
    public var submitted = 0
    /// Jobs waiting for a drainer to take them (not yet in a group).
    public var queued = 0
    /// Jobs answered.
    public var jobs = 0
    /// The largest group so far.
    public var largestGroup = 0
    /// Jobs retried in a transaction of their own after their group failed.
    public var retriedAlone = 0

    public init() {}
}
