import COpenSSL
import Foundation

/// A minimal certificate authority for tests and demos: a CA certificate plus its key, issuing
/// end-entity certificates for RSA, EC P-256 and SM2 keys.
///
/// Certificates are signed with the algorithm natural to the CA key (sha256WithRSAEncryption,
/// ecdsa-with-SHA256, SM2-with-SM3 with the GM/T default signer ID, as the China E-Port CA does) unless
/// another is asked for (e.g. `.rsaSHA1` to imitate the older e-port certificates).
/// Production signing certificates come from the e-port CA, not from here.
public final class CertificateAuthority: Sendable {
    /// The CA certificate (a trust anchor for `TrustStore`).
    public let certificate: Certificate
    /// The CA's private key.
    public let key: PrivateKey

    /// Pairs an existing CA certificate with its private key.
    public init(certificate: Certificate, key: PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// Creates a self-signed root CA (basicConstraints CA:TRUE, keyCertSign + cRLSign).
    public static func selfSigned(
        commonName: String,
        key: PrivateKey,
        notBefore: Date = Date(timeIntervalSinceNow: -3600),
        notAfter: Date = Date(timeIntervalSinceNow: 365 * 86400),
        signatureAlgorithm: SignatureAlgorithm? = nil
    ) throws(CryptoError) -> CertificateAuthority {
        let template = CertificateTemplate(
            commonName: commonName, publicKey: key.key, notBefore: notBefore, notAfter: notAfter,
            keyUsage: [.keyCertSign, .cRLSign], isCA: true, serialNumber: nil
        )
        let certificate = try template.sign(issuer: nil, issuerKey: key, algorithm: signatureAlgorithm)
        return CertificateAuthority(certificate: certificate, key: key)
    }

    /// Issues a certificate for `publicKey`.
    ///
    /// - Parameters:
    ///   - keyUsage: the key usage extension; `nil` leaves the extension out.
    ///   - isCA: issue an intermediate CA certificate instead of an end-entity one.
    ///   - serialNumber: serial magnitude bytes (e.g. `[0x03, 0, 0, 0, 0, 0x0c, 0xde, 0x6f]`); random when `nil`.
    public func issue(
        commonName: String,
        publicKey: PublicKey,
        notBefore: Date = Date(timeIntervalSinceNow: -3600),
        notAfter: Date = Date(timeIntervalSinceNow: 365 * 86400),
        keyUsage: KeyUsage? = [.digitalSignature, .nonRepudiation],
        isCA: Bool = false,
        serialNumber: [UInt8]? = nil,
        signatureAlgorithm: SignatureAlgorithm? = nil
    ) throws(CryptoError) -> Certificate {
        let template = CertificateTemplate(
            commonName: commonName, publicKey: publicKey.key, notBefore: notBefore, notAfter: notAfter,
            keyUsage: keyUsage, isCA: isCA, serialNumber: serialNumber
        )
        return try template.sign(issuer: certificate, issuerKey: key, algorithm: signatureAlgorithm)
    }
}

/// The fields of a certificate to be built and signed with libcrypto.
private struct CertificateTemplate {
    let commonName: String
    let publicKey: EVPKey
    let notBefore: Date
    let notAfter: Date
    let keyUsage: KeyUsage?
    let isCA: Bool
    let serialNumber: [UInt8]?

    /// Builds the certificate, issued by `issuer` (self-issued when `nil`) and signed by `issuerKey`.
    func sign(issuer: Certificate?, issuerKey: PrivateKey, algorithm: SignatureAlgorithm?) throws(CryptoError) -> Certificate {
        guard let algorithm = algorithm ?? SignatureAlgorithm.preferred(for: issuerKey.kind) else {
            throw .unsupportedKey(issuerKey.kind)
        }
        OpenSSL.clearErrors()
        guard let x509 = X509_new() else { fatalError("X509_new failed: out of memory") }
        defer { X509_free(x509) }
        guard X509_set_version(x509, 2) == 1,
              setSerial(x509),
              setName(x509),
              X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0.x509) } ?? X509_get_subject_name(x509)) == 1,
              setTime(notBefore, X509_set1_notBefore, x509),
              setTime(notAfter, X509_set1_notAfter, x509),
              X509_set_pubkey(x509, publicKey.pointer) == 1 else {
            throw OpenSSL.failure("building certificate \(commonName)")
        }
        try addExtensions(x509, issuer: issuer?.x509 ?? x509)
        let signed = try issuerKey.key.withSigningContext(algorithm: algorithm, signerID: .gmtDefault) { context in
            X509_sign_ctx(x509, context)
        }
        guard signed > 0 else { throw OpenSSL.failure("X509_sign_ctx(\(algorithm))") }
        guard let der = DER.encode({ i2d_X509(x509, $0) }) else { throw OpenSSL.failure("i2d_X509") }
        return try Certificate(der: der)
    }

    private func setSerial(_ x509: OpaquePointer) -> Bool {
        var bytes = serialNumber ?? Self.randomSerial()
        if bytes.isEmpty { bytes = [0] }
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { return false }
        defer { BN_free(number) }
        guard let integer = BN_to_ASN1_INTEGER(number, nil) else { return false }
        defer { ASN1_INTEGER_free(integer) }
        return X509_set_serialNumber(x509, integer) == 1
    }

    /// 8 random bytes, positive and without a leading zero byte.
    private static func randomSerial() -> [UInt8] {
        var bytes = (0..<8).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = (bytes[0] & 0x7f) | 0x10
        return bytes
    }

    private func setName(_ x509: OpaquePointer) -> Bool {
        guard let name = X509_get_subject_name(x509) else { return false }
        let value = Array(commonName.utf8)
        return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, value, Int32(value.count), -1, 0) == 1
    }

    private func setTime(
        _ date: Date,
        _ setter: (OpaquePointer?, UnsafePointer<ASN1_TIME>?) -> Int32,
        _ x509: OpaquePointer
    ) -> Bool {
        guard let time = ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970.rounded(.down))) else { return false }
        defer { ASN1_TIME_free(time) }
        return setter(x509, time) == 1
    }

    private func addExtensions(_ x509: OpaquePointer, issuer: OpaquePointer) throws(CryptoError) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer, x509, nil, nil, 0)
        var extensions: [(Int32, String)] = [
            (NID_basic_constraints, isCA ? "critical,CA:TRUE" : "critical,CA:FALSE"),
            (NID_subject_key_identifier, "hash"),
        ]
        if issuer != x509 {
            extensions.append((NID_authority_key_identifier, "keyid"))
        }
        if let keyUsage, !keyUsage.isEmpty {
            extensions.append((NID_key_usage, "critical," + keyUsage.description))
        }
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw OpenSSL.failure("X509V3_EXT_conf_nid(\(value))")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw OpenSSL.failure("X509_add_ext") }
        }
    }
}
