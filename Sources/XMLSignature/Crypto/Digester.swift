import COpenSSL

/// An incremental hasher: feed it bytes in pieces (e.g. streamed canonical XML), then `finalize()`.
///
/// Each `update` is a direct `EVP_DigestUpdate` on a context created once, with the digest fetched
/// once per process, so it is cheap per call. Not thread-safe: use one instance per stream.
/// After `finalize()` the digester is reset and can hash a new message.
public final class Digester {
    /// The algorithm this digester computes.
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer

    /// A digester ready to hash a message with `algorithm`.
    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        self.context = context
        reset()
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Appends the bytes in `buffer` to the message.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        guard EVP_DigestUpdate(context, base, buffer.count) == 1 else {
            fatalError("EVP_DigestUpdate failed: \(OpenSSL.drainErrors())")
        }
    }

    /// Appends `bytes` to the message. Contiguous collections (`[UInt8]`, `Data`, `String.UTF8View`
    /// of native strings, buffer slices) are hashed in place without copying.
    public func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        guard handled == nil else { return }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(4096)
        for byte in bytes {
            chunk.append(byte)
            if chunk.count == 4096 {
                chunk.withUnsafeBytes { update($0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.withUnsafeBytes { update($0) }
    }

    /// Returns the digest of everything fed so far and resets the digester for a new message.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &out, &length) == 1 else {
            fatalError("EVP_DigestFinal_ex failed: \(OpenSSL.drainErrors())")
        }
        reset()
        return Array(out.prefix(Int(length)))
    }

    private func reset() {
        guard EVP_DigestInit_ex2(context, algorithm.fetched.md, nil) == 1 else {
            fatalError("EVP_DigestInit_ex2(\(algorithm)) failed: \(OpenSSL.drainErrors())")
        }
    }
}
