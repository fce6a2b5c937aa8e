import Foundation
import XMLSignature

/// Errors collected from concurrent workers.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [CryptoError] = []

    func append(_ error: CryptoError) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    func all() -> [CryptoError] {
        lock.lock()
        defer { lock.unlock() }
        return errors
    }
}
