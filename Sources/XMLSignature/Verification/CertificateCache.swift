import Foundation

/// Decoded signer certificates by their `ds:X509Certificate` text: an enterprise signs thousands of
/// messages with one certificate, and decoding it (DER, names, extensions) costs more than the RSA
/// verification itself. Only decoding is cached; trust is judged on every verification.
///
/// Thread-safe (a lock around a small dictionary, emptied when full).
final class CertificateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: Certificate] = [:]
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The certificate encoded by `base64`, decoded once.
    func certificate(base64: String) throws(CryptoError) -> Certificate {
        lock.lock()
        let cached = entries[base64]
        lock.unlock()
        if let cached { return cached }
        let certificate = try Certificate(base64: base64)
        lock.lock()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[base64] = certificate
        lock.unlock()
        return certificate
    }
}
