import COpenSSL

/// Incremental SHA-256 (OpenSSL EVP) for raw messages that arrive in pieces: feed every chunk
/// with ``update(_:)``, then read ``finalizeHex()`` once.
///
/// Not thread-safe; one hasher hashes one stream.
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finished = false

    /// Starts a new digest.
    public init() {
        // EVP_MD_CTX_new/EVP_DigestInit_ex with the built-in SHA-256 fail only when out of memory.
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex(SHA-256) failed")
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Hashes the next bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "SHA256Hasher used after finalizeHex()")
        guard bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    /// Hashes the next bytes.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The lower-case hex digest of everything fed. Call once.
    public func finalizeHex() -> String {
        precondition(!finished, "SHA256Hasher finalized twice")
        finished = true
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &out, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        return Hex.encode(out)
    }
}
