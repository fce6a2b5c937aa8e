import COpenSSL

/// SHA-256 through libcrypto's one-shot `EVP_Digest`: the one home of whole-value digests (API
/// key and session hashes, message digests, migration checksums); ``SHA256Hasher`` for streams.
public enum SHA256Digest {
    /// Raw 32-byte digest.
    public static func bytes(of data: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let contiguous = Array(data)
        let ok = contiguous.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // EVP_Digest with the built-in SHA-256 cannot fail short of memory exhaustion.
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return out
    }

    /// Lower-case hex digest.
    public static func hex(of data: some Collection<UInt8>) -> String { Hex.encode(bytes(of: data)) }
}
