/// Receives canonical bytes as a ``StreamingCanonicalizer`` produces them, in order.
public protocol CanonicalSink: AnyObject {
    /// Appends `bytes` to the canonical output; the buffer is valid only during the call.
    func write(_ bytes: UnsafeRawBufferPointer)
}

/// A digester hashes canonical output as it streams by: constant memory.
extension Digester: CanonicalSink {
    /// Hashes `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        update(bytes)
    }
}

/// Collects canonical output in memory (for small documents, SignedInfo and tests).
public final class CanonicalBuffer: CanonicalSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []
    /// When set, writes beyond this many bytes are dropped and ``overflowed`` becomes `true`.
    public let limit: Int?
    /// Whether output was dropped because of ``limit``.
    public private(set) var overflowed = false

    /// An empty buffer, optionally bounded.
    public init(limit: Int? = nil) {
        self.limit = limit
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        if let limit, self.bytes.count + bytes.count > limit {
            overflowed = true
            return
        }
        self.bytes.append(contentsOf: bytes)
    }
}

/// Sends the same canonical output to several digesters (one per candidate digest algorithm).
final class DigestFanout: CanonicalSink {
    let digesters: [Digester]

    init(_ algorithms: [DigestAlgorithm]) {
        digesters = algorithms.map { Digester($0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        for digester in digesters { digester.update(bytes) }
    }

    /// The finished digests, by algorithm.
    func finalize() -> [DigestAlgorithm: [UInt8]] {
        var result: [DigestAlgorithm: [UInt8]] = [:]
        for digester in digesters { result[digester.algorithm] = digester.finalize() }
        return result
    }
}
