import COpenSSL

/// A public verification key (RSA, EC P-256 or SM2), decoded once and reused for every check.
///
/// `@unchecked Sendable`: immutable after `init`; verification creates its own libcrypto context per call.
public final class PublicKey: @unchecked Sendable {
    let key: EVPKey

    /// The key's kind (and RSA size: `kind.rsaBits`, `kind.isWeak` flags RSA under 2048 bits).
    public var kind: KeyKind { key.kind }

    init(_ key: EVPKey) {
        self.key = key
    }

    /// Decodes a DER `SubjectPublicKeyInfo`.
    public convenience init(der: [UInt8]) throws(CryptoError) {
        OpenSSL.clearErrors()
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let decoded else { throw .invalidPublicKey(detail: OpenSSL.drainErrors()) }
        self.init(EVPKey(taking: decoded))
    }

    /// Decodes a PEM `PUBLIC KEY` block (`SubjectPublicKeyInfo`).
    public convenience init(pem: String) throws(CryptoError) {
        guard pem.contains("-----BEGIN PUBLIC KEY-----") else { throw .pemBlockNotFound(expected: "PUBLIC KEY") }
        OpenSSL.clearErrors()
        let decoded: OpaquePointer? = OpenSSL.withReadBIO(Array(pem.utf8)) { PEM_read_bio_PUBKEY($0, nil, nil, nil) }
        guard let decoded else { throw .invalidPublicKey(detail: OpenSSL.drainErrors()) }
        self.init(EVPKey(taking: decoded))
    }

    /// The DER `SubjectPublicKeyInfo`.
    public var derRepresentation: [UInt8] { key.subjectPublicKeyInfo }

    /// The `PUBLIC KEY` PEM (what `openssl dgst -verify` reads).
    public var pemRepresentation: String {
        Base64.pem(label: "PUBLIC KEY", derRepresentation)
    }

    /// Checks a signature value in XML-DSig wire format (RSA PKCS#1 v1.5; raw `r || s` for ECDSA and SM2)
    /// over `data`.
    ///
    /// - Parameter sm2SignerID: the SM2 signer ID the signer used; e-port keys use the default.
    /// - Throws: `signatureMismatch` when it does not verify, `malformedSignature` when a raw `r || s`
    ///   has the wrong length, `keyMismatch` when the algorithm does not fit this key.
    public func verify(
        signature: [UInt8],
        over data: some Sequence<UInt8>,
        algorithm: SignatureAlgorithm,
        sm2SignerID: SM2SignerID = .gmtDefault
    ) throws(CryptoError) {
        try data.withContiguousBytes { raw throws(CryptoError) in
            try key.verify(signature, over: raw, algorithm: algorithm, signerID: sm2SignerID)
        }
    }
}
