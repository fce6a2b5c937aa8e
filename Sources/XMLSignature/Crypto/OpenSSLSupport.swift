import COpenSSL

/// Internal glue around libcrypto: error-queue draining, memory BIOs and fetched digests.
///
/// Nothing here is public: the module's public API never exposes an OpenSSL type.
enum OpenSSL {
    /// Empties this thread's OpenSSL error queue and returns its entries as text, oldest first.
    ///
    /// The queue is thread-local; every operation clears it on entry (`clearErrors`) and drains it on
    /// failure, so errors never leak from one call into the next on the same thread.
    static func drainErrors() -> String {
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return lines.joined(separator: "; ")
    }

    /// Discards whatever an earlier call left in this thread's error queue.
    static func clearErrors() {
        ERR_clear_error()
    }

    /// Builds a `CryptoError.openSSL` for a failed libcrypto call, draining the error queue.
    static func failure(_ operation: String) -> CryptoError {
        .openSSL(operation: operation, detail: drainErrors())
    }

    /// Runs `body` with a read-only memory BIO over `bytes`; the BIO is freed afterwards.
    static func withReadBIO<R, E: Error>(
        _ bytes: [UInt8],
        _ body: (OpaquePointer) throws(E) -> R
    ) throws(E) -> R {
        // BIO_new_mem_buf does not copy: `bytes` stays alive and pinned for the whole call below.
        let result: Result<R, E> = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                fatalError("BIO_new_mem_buf failed: out of memory")
            }
            defer { BIO_free(bio) }
            do throws(E) {
                return .success(try body(bio))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Runs `write` against a fresh memory BIO and returns everything written to it.
    /// Returns `nil` when `write` reports failure (returns a value ≤ 0).
    static func collectBIO(_ write: (OpaquePointer) -> Int32) -> [UInt8]? {
        guard let bio = BIO_new(BIO_s_mem()) else { fatalError("BIO_new failed: out of memory") }
        defer { BIO_free(bio) }
        guard write(bio) > 0 else { return nil }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        let read = out.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        return Array(out.prefix(max(0, Int(read))))
    }

    /// Lower-case hexadecimal of `bytes`, two digits per byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A digest implementation fetched once from the default provider and kept for the process lifetime.
///
/// `@unchecked Sendable`: the wrapped `EVP_MD` is immutable after `EVP_MD_fetch` and OpenSSL documents
/// fetched algorithm objects as safe to share between threads; it is never freed (process lifetime).
final class FetchedDigest: @unchecked Sendable {
    let md: OpaquePointer

    private init(name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("libcrypto has no \(name) digest: \(OpenSSL.drainErrors())")
        }
        self.md = md
    }

    static let sha1 = FetchedDigest(name: "SHA1")
    static let sha256 = FetchedDigest(name: "SHA256")
    static let sm3 = FetchedDigest(name: "SM3")
}
