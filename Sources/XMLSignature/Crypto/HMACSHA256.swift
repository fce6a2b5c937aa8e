import COpenSSL

/// HMAC-SHA256 (RFC 2104) on libcrypto, for shared-secret signatures such as webhook deliveries.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticate(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        let key = Array(key)
        let message = Array(message)
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        OpenSSL.clearErrors()
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    // A zero-length key or message still needs a valid pointer.
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, k.baseAddress ?? UnsafeRawPointer(o.baseAddress!), k.count,
                              m.baseAddress ?? UnsafePointer(o.baseAddress!), m.count, o.baseAddress, o.count, &length)
                }
            }
        }
        guard result != nil, length == 32 else { fatalError("EVP_Q_mac(HMAC-SHA256) failed: \(OpenSSL.drainErrors())") }
        return out
    }

    /// Lower-case hex of ``authenticate(key:message:)``.
    public static func hex(key: some Collection<UInt8>, message: some Collection<UInt8>) -> String {
        OpenSSL.hex(authenticate(key: key, message: message))
    }

    /// Compares two byte strings in time that depends only on their length (`CRYPTO_memcmp`), so a
    /// signature check does not reveal how many leading bytes matched.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}
