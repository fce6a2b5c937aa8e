import COpenSSL
import Foundation

/// An X.509 certificate, decoded once; its fields are read eagerly into Swift values.
///
/// `@unchecked Sendable`: the wrapped `X509` is fully set up in `init` (extensions cached, SM2 ID attached)
/// and never mutated afterwards; libcrypto allows concurrent read-only use, e.g. by `TrustStore`.
/// Equality and hashing are by DER bytes.
public final class Certificate: @unchecked Sendable, Hashable, CustomStringConvertible {
    let x509: OpaquePointer

    /// The DER encoding, exactly as received (what goes into `ds:X509Certificate` after base64).
    public let derBytes: [UInt8]
    /// The serial number as lower-case hex of its magnitude bytes, e.g. `03000000000cde6f`
    /// (the e-port `certNo` and `ds:KeyName` style: leading zero *bytes* of the encoding are kept,
    /// no `0x`, no colons). Negative serials, which RFC 5280 forbids, get a `-` prefix.
    public let serialNumberHex: String
    /// The subject DN in RFC 2253 order and syntax, UTF-8 kept as is (e.g. `CN=杨如金,OU=…,C=CN`).
    public let subject: String
    /// The issuer DN, formatted like `subject`.
    public let issuer: String
    /// Start of the validity window.
    public let notBefore: Date
    /// End of the validity window.
    public let notAfter: Date
    /// The subject public key.
    public let publicKey: PublicKey
    /// The key usage extension, or `nil` when the certificate has none.
    public let keyUsage: KeyUsage?
    /// Whether basicConstraints marks this as a CA certificate.
    public let isCA: Bool
    /// libcrypto's long name of the certificate's own signature algorithm (e.g. `SM2-with-SM3`,
    /// `sha1WithRSAEncryption`), for diagnostics.
    public let signatureAlgorithmName: String

    /// Decodes DER. Trailing bytes after the certificate are rejected.
    public init(der: [UInt8]) throws(CryptoError) {
        OpenSSL.clearErrors()
        var consumed = 0
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let x509 = d2i_X509(nil, &cursor, buffer.count)
            if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
            return x509
        }
        guard let decoded else { throw .invalidCertificate(detail: OpenSSL.drainErrors()) }
        guard consumed == der.count else {
            X509_free(decoded)
            throw .invalidCertificate(detail: "\(der.count - consumed) trailing bytes after the certificate")
        }
        guard let key = X509_get_pubkey(decoded) else {
            let detail = OpenSSL.drainErrors()
            X509_free(decoded)
            throw .invalidCertificate(detail: "unreadable public key: \(detail)")
        }
        x509 = decoded
        derBytes = der
        publicKey = PublicKey(EVPKey(taking: key))
        serialNumberHex = Self.serialHex(decoded)
        subject = Self.name(X509_get_subject_name(decoded))
        issuer = Self.name(X509_get_issuer_name(decoded))
        notBefore = Self.date(X509_get0_notBefore(decoded))
        notAfter = Self.date(X509_get0_notAfter(decoded))
        // Caches all extensions now, before the object is shared.
        let hasKeyUsage = X509_get_extension_flags(decoded) & UInt32(EXFLAG_KUSAGE) != 0
        keyUsage = hasKeyUsage ? KeyUsage(rawValue: X509_get_key_usage(decoded)) : nil
        isCA = X509_check_ca(decoded) != 0
        let signatureNID = X509_get_signature_nid(decoded)
        signatureAlgorithmName = OBJ_nid2ln(signatureNID).map { String(cString: $0) } ?? "unknown"
        if signatureNID == NID_SM2_with_SM3 {
            // OpenSSL 3.0 checks SM2 certificate signatures with an empty signer ID unless the
            // certificate carries one; CAs (the China E-Port CA included) sign with the GM/T default.
            Self.attachSignerID(.gmtDefault, to: decoded)
        }
        OpenSSL.clearErrors()
    }

    /// Decodes the first `CERTIFICATE` block of PEM text.
    public convenience init(pem: String) throws(CryptoError) {
        guard let first = try Self.pemBlocks(pem).first else { throw .pemBlockNotFound(expected: "CERTIFICATE") }
        try self.init(der: first)
    }

    /// Decodes base64 DER as found in `ds:X509Certificate`; whitespace and line breaks are ignored.
    public convenience init(base64: String) throws(CryptoError) {
        try self.init(der: Base64.decode(base64))
    }

    /// Every `CERTIFICATE` block in PEM text (a CA bundle), in order.
    public static func all(pem: String) throws(CryptoError) -> [Certificate] {
        var certificates: [Certificate] = []
        for der in try pemBlocks(pem) {
            certificates.append(try Certificate(der: der))
        }
        return certificates
    }

    deinit {
        X509_free(x509)
    }

    /// The kind of the subject public key.
    public var publicKeyKind: KeyKind { publicKey.kind }

    /// The RSA modulus size in bits, `nil` for non-RSA keys (flag `< 2048` as weak).
    public var rsaKeyBits: Int? { publicKey.kind.rsaBits }

    /// `true` when the key usage extension includes digitalSignature. `false` when it is absent.
    public var hasDigitalSignatureKeyUsage: Bool { keyUsage?.contains(.digitalSignature) ?? false }

    /// The base64 of `derBytes`, wrapped at 76 characters if `lineLength` is given.
    public func base64(lineLength: Int? = nil) -> String {
        Base64.encode(derBytes, lineLength: lineLength)
    }

    /// The certificate as a PEM `CERTIFICATE` block.
    public var pemRepresentation: String {
        Base64.pem(label: "CERTIFICATE", derBytes)
    }

    /// Same DER bytes.
    public static func == (lhs: Certificate, rhs: Certificate) -> Bool {
        lhs.derBytes == rhs.derBytes
    }

    /// Hashes the DER bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(derBytes)
    }

    /// `serial <hex> subject <DN> issuer <DN>`.
    public var description: String {
        "serial \(serialNumberHex) subject \(subject) issuer \(issuer)"
    }

    // MARK: Decoding helpers

    private static func pemBlocks(_ pem: String) throws(CryptoError) -> [[UInt8]] {
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        var blocks: [[UInt8]] = []
        var rest = Substring(pem)
        while let start = rest.range(of: begin) {
            guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) else {
                throw .invalidCertificate(detail: "PEM block without \(end)")
            }
            blocks.append(try Base64.decode(rest[start.upperBound..<stop.lowerBound]))
            rest = rest[stop.upperBound...]
        }
        return blocks
    }

    private static func serialHex(_ x509: OpaquePointer) -> String {
        guard let serial = X509_get0_serialNumber(x509) else { return "" }
        let length = Int(ASN1_STRING_length(serial))
        let bytes = length > 0 ? Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data(serial), count: length)) : [0]
        let sign = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : ""
        return sign + OpenSSL.hex(bytes)
    }

    /// `XN_FLAG_RFC2253` (a macro Swift cannot import) without `ASN1_STRFLGS_ESC_MSB`,
    /// so Chinese names stay readable UTF-8 instead of `\E4\B8…` escapes.
    private static let nameFlags: UInt = {
        let strings = UInt(ASN1_STRFLGS_ESC_2253) | UInt(ASN1_STRFLGS_ESC_CTRL) | UInt(ASN1_STRFLGS_UTF8_CONVERT)
            | UInt(ASN1_STRFLGS_DUMP_UNKNOWN) | UInt(ASN1_STRFLGS_DUMP_DER)
        return strings | UInt(XN_FLAG_SEP_COMMA_PLUS) | UInt(XN_FLAG_DN_REV) | UInt(XN_FLAG_FN_SN)
            | UInt(XN_FLAG_DUMP_UNKNOWN_FIELDS)
    }()

    private static func name(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        let bytes = OpenSSL.collectBIO { bio in
            X509_NAME_print_ex(bio, name, 0, nameFlags) >= 0 ? 1 : 0
        }
        return bytes.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return .distantPast }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    private static func attachSignerID(_ id: SM2SignerID, to x509: OpaquePointer) {
        guard let octets = ASN1_OCTET_STRING_new() else { fatalError("ASN1_OCTET_STRING_new failed: out of memory") }
        _ = id.bytes.withUnsafeBufferPointer { ASN1_OCTET_STRING_set(octets, $0.baseAddress, Int32($0.count)) }
        X509_set0_distinguishing_id(x509, octets)  // takes ownership
    }
}
