import COpenSSL
import Dispatch

/// A private signing key (RSA, EC P-256 or SM2), decoded once and reused for every signature.
///
/// The key lives either in this process (PEM, DER, generated) or on a PKCS#11 token
/// (``init(pkcs11:pin:queue:)``): both are an `EVP_PKEY` to libcrypto, so every signing site works with
/// either. A token key's signatures pass its ``queue``; every key's durations feed ``statistics``.
///
/// `@unchecked Sendable`: all state is immutable after `init`, and the wrapped `EVPKey` is safe to sign
/// with from many threads at once (each call creates its own libcrypto operation context).
public final class PrivateKey: @unchecked Sendable {
    let key: EVPKey

    /// The key's kind (and RSA size).
    public var kind: KeyKind { key.kind }

    /// The matching public key (derived once, at load).
    public let publicKey: PublicKey

    /// The token this key lives on (`nil`: a software key).
    public let token: PKCS11URI?

    /// The bounded queue in front of a token key (`nil` for software keys, which sign on the caller's thread).
    public let queue: SigningQueue?

    /// Signing durations and failures of this key.
    public let statistics = SigningStatistics()

    init(_ key: EVPKey, token: PKCS11URI? = nil, queue: SigningQueue? = nil) {
        self.key = key
        self.token = token
        self.queue = queue
        // Round-trip through SubjectPublicKeyInfo so the public object holds no private material.
        guard let publicKey = try? PublicKey(der: key.subjectPublicKeyInfo) else {
            fatalError("cannot decode the public half of a \(key.kind) key: \(OpenSSL.drainErrors())")
        }
        self.publicKey = publicKey
    }

    /// Decodes a PEM private key: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`) or a
    /// traditional key (`RSA PRIVATE KEY`, `EC PRIVATE KEY`), optionally encrypted with a `Proc-Type` header.
    ///
    /// - Parameter passphrase: the passphrase bytes for an encrypted key; ignored for a plain one.
    ///   libcrypto is never allowed to prompt on a terminal.
    /// - Throws: `passphraseRequired` / `wrongPassphrase` for encrypted keys, `pemBlockNotFound` when the
    ///   text holds no private key block, `invalidPrivateKey` otherwise, `unsupportedKey` for other key types.
    public convenience init(pem: String, passphrase: [UInt8]? = nil) throws(CryptoError) {
        guard pem.contains("-----BEGIN"), pem.contains("PRIVATE KEY-----") else {
            throw .pemBlockNotFound(expected: "PRIVATE KEY")
        }
        let encrypted = pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")
        OpenSSL.clearErrors()
        var request = PassphraseRequest(passphrase: passphrase)
        let decoded: OpaquePointer? = OpenSSL.withReadBIO(Array(pem.utf8)) { bio in
            withUnsafeMutablePointer(to: &request) { PEM_read_bio_PrivateKey(bio, nil, passphraseCallback, $0) }
        }
        guard let decoded else {
            let detail = OpenSSL.drainErrors()
            if encrypted { throw passphrase == nil ? .passphraseRequired : .wrongPassphrase }
            throw .invalidPrivateKey(detail: detail)
        }
        try self.init(checking: EVPKey(taking: decoded))
    }

    /// The private key on a PKCS#11 token that `uri` names (RFC 7512: `pkcs11:token=…;object=…`), through
    /// libp11's OpenSSL engine; the key never leaves the token.
    ///
    /// - Parameters:
    ///   - pin: the user PIN (from a file or the environment, never a command line); `nil` for tokens
    ///     that need no login. Nobody is ever prompted.
    ///   - queue: bounds on concurrent and waiting signatures through the token.
    /// - Throws: `invalidPKCS11URI`… `pkcs11KeyNotFound` (codes KEY001–KEY007), `unsupportedKey`.
    public convenience init(pkcs11 uri: PKCS11URI, pin: [UInt8]?, queue: SigningQueue.Limits = .init()) throws(CryptoError) {
        let key = try PKCS11Engine.loadPrivateKey(uri, pin: pin)
        if case .other = key.kind { throw .unsupportedKey(key.kind) }
        self.init(key, token: uri, queue: SigningQueue(limits: queue))
    }

    /// Decodes an unencrypted DER private key (PKCS#8 `PrivateKeyInfo`, or a traditional RSA/EC structure).
    public convenience init(der: [UInt8]) throws(CryptoError) {
        OpenSSL.clearErrors()
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let decoded else { throw .invalidPrivateKey(detail: OpenSSL.drainErrors()) }
        try self.init(checking: EVPKey(taking: decoded))
    }

    private convenience init(checking key: EVPKey) throws(CryptoError) {
        if case .other = key.kind { throw .unsupportedKey(key.kind) }
        self.init(key)
    }

    /// Generates a fresh key: `.rsa(bits:)` (1024 to 4096 bits), `.ecP256` or `.sm2`. Meant for tests and demos:
    /// production e-port keys live on a card or USB token.
    public static func generate(kind: KeyKind) throws(CryptoError) -> PrivateKey {
        OpenSSL.clearErrors()
        let typeName: String
        switch kind {
        case .rsa(let bits) where (1024...4096).contains(bits): typeName = "RSA"
        case .ecP256: typeName = "EC"
        case .sm2: typeName = "SM2"
        case .rsa, .other: throw .unsupportedKey(kind)
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, typeName, nil) else {
            throw OpenSSL.failure("EVP_PKEY_CTX_new_from_name(\(typeName))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw OpenSSL.failure("EVP_PKEY_keygen_init") }
        let configured: Int32
        switch kind {
        case .rsa(let bits): configured = EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits))
        case .ecP256: configured = EVP_PKEY_CTX_set_group_name(context, "P-256")
        case .sm2: configured = EVP_PKEY_CTX_set_group_name(context, "SM2")
        case .other: configured = 0
        }
        guard configured == 1 else { throw OpenSSL.failure("key generation parameters for \(kind)") }
        var generated: OpaquePointer?
        guard EVP_PKEY_generate(context, &generated) == 1, let generated else {
            throw OpenSSL.failure("EVP_PKEY_generate(\(kind))")
        }
        return PrivateKey(EVPKey(taking: generated))
    }

    /// Signs `data` with `algorithm` and returns the value for `ds:SignatureValue` (before base64):
    /// RSA PKCS#1 v1.5 bytes, or raw `r || s` (64 bytes) for ECDSA P-256 and SM2.
    ///
    /// - Parameter sm2SignerID: the SM2 signer ID; keep the default (`1234567812345678`) for e-port.
    /// - Throws: `keyMismatch` if the algorithm does not fit this key, `openSSL` if libcrypto fails.
    public func sign(
        _ data: some Sequence<UInt8>,
        algorithm: SignatureAlgorithm,
        sm2SignerID: SM2SignerID = .gmtDefault
    ) throws(CryptoError) -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        do throws(CryptoError) {
            let signature = try data.withContiguousBytes { raw throws(CryptoError) -> [UInt8] in
                guard let queue else { return try key.sign(raw, algorithm: algorithm, signerID: sm2SignerID) }
                return try queue.run { () throws(CryptoError) in try key.sign(raw, algorithm: algorithm, signerID: sm2SignerID) }
            }
            statistics.record(seconds: Self.seconds(since: start), failed: false)
            return signature
        } catch {
            statistics.record(seconds: Self.seconds(since: start), failed: true)
            throw error
        }
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The key as PKCS#8 PEM; encrypted (PBES2, AES-256-CBC) when a passphrase is given.
    public func pemRepresentation(passphrase: [UInt8]? = nil) throws(CryptoError) -> String {
        OpenSSL.clearErrors()
        let written = OpenSSL.collectBIO { bio in
            guard var passphrase else {
                return PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil)
            }
            return passphrase.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, EVP_aes_256_cbc(), chars.baseAddress, Int32(chars.count), nil, nil)
                }
            }
        }
        guard let written else { throw OpenSSL.failure("PEM_write_bio_PKCS8PrivateKey") }
        return String(decoding: written, as: UTF8.self)
    }
}

/// What the passphrase callback hands to libcrypto.
private struct PassphraseRequest {
    let passphrase: [UInt8]?
}

/// `pem_password_cb`: copies the caller's passphrase, or refuses (-1) so libcrypto never prompts.
private func passphraseCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ writing: Int32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let buffer, let userData else { return -1 }
    let request = userData.assumingMemoryBound(to: PassphraseRequest.self)
    guard let passphrase = request.pointee.passphrase, !passphrase.isEmpty, passphrase.count <= Int(size) else {
        return -1
    }
    passphrase.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    }
    return Int32(passphrase.count)
}
