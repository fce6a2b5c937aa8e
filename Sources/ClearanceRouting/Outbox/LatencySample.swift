/// A uniform random sample of at most `capacity` values from a stream of any length (reservoir
/// sampling, algorithm R): a worker that runs for months reports latency percentiles from a
/// fixed amount of memory instead of keeping every delivery's latency.
public struct LatencySample: Sendable, Hashable {
    /// The most values kept.
    public let capacity: Int
    /// The sample (in no particular order).
    public private(set) var values: [Double] = []
    /// Values offered so far.
    public private(set) var seen = 0

    /// Creates an empty sample.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Offers values: each of the `seen` so far stays in the sample with probability capacity / seen.
    public mutating func add(_ more: [Double]) {
        for value in more {
            seen += 1
            if values.count < capacity {
                values.append(value)
            } else {
                let slot = Int.random(in: 0..<seen)
                if slot < capacity { values[slot] = value }
            }
        }
    }
}
