import COpenSSL

/// Owner of one `EVP_PKEY` (private or public), shared by `PrivateKey`, `PublicKey` and `Certificate`.
///
/// `@unchecked Sendable`: the key is fully decoded or generated in `init` and never mutated afterwards.
/// OpenSSL 3 allows one `EVP_PKEY` to be used concurrently by many threads for signing and verifying
/// as long as each operation has its own `EVP_MD_CTX`/`EVP_PKEY_CTX`, which `sign`/`verify` create per call.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    let kind: KeyKind

    /// Takes ownership of `pointer` (one reference).
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
        self.kind = Self.kind(of: pointer)
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The DER `SubjectPublicKeyInfo` of the key (its public half only).
    var subjectPublicKeyInfo: [UInt8] {
        guard let der = DER.encode({ i2d_PUBKEY(pointer, $0) }) else {
            fatalError("i2d_PUBKEY(\(kind)) failed: \(OpenSSL.drainErrors())")
        }
        return der
    }

    /// Classifies a key: RSA(bits), P-256, SM2 (by key type or by curve), or other.
    private static func kind(of key: OpaquePointer) -> KeyKind {
        if EVP_PKEY_is_a(key, "RSA") == 1 {
            return .rsa(bits: Int(EVP_PKEY_get_bits(key)))
        }
        if EVP_PKEY_is_a(key, "SM2") == 1 {
            return .sm2
        }
        if EVP_PKEY_is_a(key, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            let group = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1
                ? String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                : "?"
            OpenSSL.clearErrors()
            switch group {
            case "prime256v1", "P-256", "secp256r1": return .ecP256
            default: return .other("EC \(group)")
            }
        }
        guard let typeName = EVP_PKEY_get0_type_name(key) else { return .other("unknown") }
        return .other(String(cString: typeName))
    }

    /// Signs `data` and returns the signature in XML-DSig wire format.
    func sign(_ data: UnsafeRawBufferPointer, algorithm: SignatureAlgorithm, signerID: SM2SignerID) throws(CryptoError) -> [UInt8] {
        var length = Int(EVP_PKEY_get_size(pointer))
        var signature = [UInt8](repeating: 0, count: length)
        let ok = try withSigningContext(algorithm: algorithm, signerID: signerID) { context in
            Self.withNonNullBase(data) { base in
                EVP_DigestSign(context, &signature, &length, base, data.count)
            }
        }
        guard ok == 1 else { throw OpenSSL.failure("EVP_DigestSign(\(algorithm))") }
        signature.removeSubrange(length...)
        if let fieldSize = kind.fieldSize {
            return try ECDSASignature.rawFromDER(signature, fieldSize: fieldSize)
        }
        return signature
    }

    /// Runs `body` with a fresh `EVP_MD_CTX` initialised for signing with `algorithm`
    /// (digest set, PKCS#1 v1.5 padding for RSA, signer ID for SM2). Also used to sign certificates.
    func withSigningContext<R>(
        algorithm: SignatureAlgorithm,
        signerID: SM2SignerID,
        _ body: (OpaquePointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        try withContext(.sign, algorithm: algorithm, signerID: signerID, body)
    }

    /// Verifies a signature in XML-DSig wire format over `data`; throws `signatureMismatch` if it does not hold.
    func verify(_ signature: [UInt8], over data: UnsafeRawBufferPointer, algorithm: SignatureAlgorithm, signerID: SM2SignerID) throws(CryptoError) {
        guard algorithm.accepts(kind) else { throw .keyMismatch(algorithm: algorithm, key: kind) }
        let encoded = try kind.fieldSize.map { fieldSize throws(CryptoError) in
            try ECDSASignature.derFromRaw(signature, fieldSize: fieldSize)
        } ?? signature
        let result = try withContext(.verify, algorithm: algorithm, signerID: signerID) { context in
            Self.withNonNullBase(data) { base in
                EVP_DigestVerify(context, encoded, encoded.count, base, data.count)
            }
        }
        // 0 is a clean mismatch; a negative result means the value could not even be parsed
        // (e.g. RSA signature of the wrong length). Both are "does not verify" for the caller.
        guard result == 1 else {
            OpenSSL.clearErrors()
            throw .signatureMismatch
        }
    }

    private enum Operation {
        case sign, verify
    }

    /// A fresh digest-sign or digest-verify context for one operation, freed after `body`.
    private func withContext<R>(
        _ operation: Operation,
        algorithm: SignatureAlgorithm,
        signerID: SM2SignerID,
        _ body: (OpaquePointer) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        guard algorithm.accepts(kind) else { throw .keyMismatch(algorithm: algorithm, key: kind) }
        OpenSSL.clearErrors()
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        let md = algorithm.digest.fetched.md
        let initialised = switch operation {
        case .sign: EVP_DigestSignInit(context, &keyContext, md, nil, pointer)
        case .verify: EVP_DigestVerifyInit(context, &keyContext, md, nil, pointer)
        }
        guard initialised == 1, let keyContext else {
            throw OpenSSL.failure("EVP_Digest\(operation == .sign ? "Sign" : "Verify")Init(\(algorithm))")
        }
        try configure(keyContext, signerID: signerID)
        return try body(context)
    }

    /// Per-operation settings: PKCS#1 v1.5 padding for RSA, the signer ID for SM2.
    private func configure(_ keyContext: OpaquePointer, signerID: SM2SignerID) throws(CryptoError) {
        switch kind {
        case .rsa:
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_rsa_padding")
            }
        case .sm2:
            // OpenSSL 3.0 would otherwise hash an empty ID into Z; it must be set before any data is fed.
            guard !signerID.bytes.isEmpty else { return }
            let ok = signerID.bytes.withUnsafeBytes {
                EVP_PKEY_CTX_set1_id(keyContext, $0.baseAddress, Int32($0.count))
            }
            guard ok == 1 else { throw OpenSSL.failure("EVP_PKEY_CTX_set1_id") }
        case .ecP256, .other:
            break
        }
    }

    /// libcrypto wants a non-null pointer even for zero-length input.
    private static func withNonNullBase<R>(_ data: UnsafeRawBufferPointer, _ body: (UnsafePointer<UInt8>) -> R) -> R {
        if let base = data.baseAddress {
            return body(base.assumingMemoryBound(to: UInt8.self))
        }
        var zero: UInt8 = 0
        return withUnsafePointer(to: &zero) { body($0) }
    }
}

extension Sequence<UInt8> {
    /// Runs `body` over the bytes in place when contiguous, else over a temporary copy.
    func withContiguousBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withoutActuallyEscaping(body) { body throws(E) -> R in
            var result: Result<R, E>?
            let capture = { (raw: UnsafeRawBufferPointer) in
                do throws(E) {
                    result = .success(try body(raw))
                } catch {
                    result = .failure(error)
                }
            }
            if withContiguousStorageIfAvailable({ capture(UnsafeRawBufferPointer($0)) }) == nil {
                Array(self).withUnsafeBytes { capture($0) }
            }
            return try result!.get()
        }
    }
}
