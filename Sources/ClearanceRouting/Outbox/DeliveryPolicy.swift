import Foundation

/// How the delivery worker paces itself: claim size, lease, and the retry schedule.
public struct DeliveryPolicy: Sendable, Hashable {
    /// Rows claimed per round.
    public var batchSize: Int
    /// How long a claimed row stays reserved; a crashed worker's rows are reclaimed after it.
    public var leaseSeconds: TimeInterval
    /// First retry delay.
    public var baseDelaySeconds: TimeInterval
    /// Longest retry delay.
    public var maxDelaySeconds: TimeInterval
    /// Fraction of the delay randomised away (0…1): delay × (1 − jitter × U[0,1)).
    public var jitter: Double
    /// Pause between rounds when nothing was due.
    public var idlePollSeconds: TimeInterval
    /// While a round is still delivering, the soonest the next claim follows the one before it, unless
    /// that one came back full (a queue is waiting). Claiming as soon as a round's chains all have
    /// their slots took 2.3× as many claims of fewer rows, each round's claim, read and completion
    /// costing the store more per message than the latency it saved was worth.
    public var overlapIntervalSeconds: TimeInterval

    /// Creates a policy.
    public init(batchSize: Int = 32, leaseSeconds: TimeInterval = 60, baseDelaySeconds: TimeInterval = 1,
                maxDelaySeconds: TimeInterval = 300, jitter: Double = 0.5, idlePollSeconds: TimeInterval = 0.5,
                overlapIntervalSeconds: TimeInterval = 0.05) {
        self.batchSize = batchSize
        self.leaseSeconds = leaseSeconds
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.jitter = jitter
        self.idlePollSeconds = idlePollSeconds
        self.overlapIntervalSeconds = overlapIntervalSeconds
    }

    /// The pause when nothing is due: `idlePollSeconds`, but at least 10 ms (a zero poll would spin).
    var idlePause: TimeInterval { max(idlePollSeconds, 0.01) }

    /// The delay before attempt `attempts + 1`, after `attempts` failures: exponential, capped, jittered.
    public func retryDelay(afterAttempts attempts: Int, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        let exponent = Double(min(max(attempts - 1, 0), 30))
        let raw = min(maxDelaySeconds, baseDelaySeconds * pow(2, exponent))
        return raw * (1 - min(max(jitter, 0), 1) * random)
    }
}

/// What one delivery round did.
public struct DeliveryRound: Sendable, Hashable {
    /// Rows claimed.
    public var claimed = 0
    /// Delivered now.
    public var delivered = 0
    /// Failed, to be retried.
    public var retried = 0
    /// Failed for good (dead letters).
    public var dead = 0
    /// Not attempted, put back to pending: later rows of a shipment whose earlier row failed in
    /// the same round (no attempt counted).
    public var deferred = 0
    /// Seconds from queueing to the destination's acceptance of each delivered row.
    public var latencies: [TimeInterval] = []
    /// Seconds from queueing to the commit that recorded each delivered row as delivered: the
    /// latency above plus the wait for the round's slowest delivery and the commit. Until then a
    /// worker that dies delivers the row again (receivers dedupe by guid).
    public var recordedLatencies: [TimeInterval] = []

    /// Creates an empty round.
    public init() {}

    /// Adds another round's counts.
    public mutating func add(_ other: DeliveryRound) {
        claimed += other.claimed
        delivered += other.delivered
        retried += other.retried
        dead += other.dead
        deferred += other.deferred
        latencies += other.latencies
        recordedLatencies += other.recordedLatencies
    }
}
