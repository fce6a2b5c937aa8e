import Foundation

/// Everything that can go wrong in the crypto layer of `XMLSignature` (keys, certificates,
/// signature values, digests and trust decisions).
///
/// Every case renders a human sentence through `description`. Cases that come from libcrypto carry
/// the text of OpenSSL's error queue, drained at the point of failure so it never leaks into a later
/// call. The XML half of the module wraps this type rather than repeating its cases.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Base64 text contained a character that is neither in the base64 alphabet nor whitespace,
    /// or had a malformed length or padding.
    case invalidBase64
    /// PEM text had no block with one of the expected labels (e.g. `CERTIFICATE`, `PRIVATE KEY`).
    case pemBlockNotFound(expected: String)
    /// A private key could not be decoded (corrupt data, or a format libcrypto does not know).
    case invalidPrivateKey(detail: String)
    /// A public key could not be decoded.
    case invalidPublicKey(detail: String)
    /// The private key PEM is encrypted and no passphrase was given.
    case passphraseRequired
    /// The private key PEM is encrypted and the given passphrase does not decrypt it.
    case wrongPassphrase
    /// A certificate could not be decoded from PEM, DER or base64.
    case invalidCertificate(detail: String)
    /// A key of this kind is not supported here (only RSA, EC P-256 and SM2 are).
    case unsupportedKey(KeyKind)
    /// The signature algorithm needs a different kind of key than the one supplied.
    case keyMismatch(algorithm: SignatureAlgorithm, key: KeyKind)
    /// A signature value does not have the shape its algorithm requires
    /// (for ECDSA and SM2: raw `r || s`, exactly twice the field size).
    case malformedSignature(reason: String)
    /// The signature value is well formed but does not match the data and key.
    case signatureMismatch
    /// The certificate's validity window does not contain the evaluation date.
    case certificateNotYetValid(subject: String, notBefore: Date)
    /// The certificate's validity window ended before the evaluation date.
    case certificateExpired(subject: String, notAfter: Date)
    /// The certificate has a key usage extension that allows neither digitalSignature nor nonRepudiation,
    /// or (when the trust policy requires it) has no key usage extension at all.
    case keyUsageForbidsSigning(subject: String)
    /// The certificate does not chain to any trusted CA; `reason` is OpenSSL's verification verdict.
    case untrustedCertificate(subject: String, reason: String)
    /// A libcrypto call failed; `detail` is the drained OpenSSL error queue.
    case openSSL(operation: String, detail: String)

    /// A one-line human explanation of the failure.
    public var description: String {
        switch self {
        case .invalidBase64:
            return "invalid base64: only the base64 alphabet, '=' padding and whitespace are allowed"
        case .pemBlockNotFound(let expected):
            return "no PEM block labelled \(expected) found"
        case .invalidPrivateKey(let detail):
            return "cannot decode private key" + Self.suffix(detail)
        case .invalidPublicKey(let detail):
            return "cannot decode public key" + Self.suffix(detail)
        case .passphraseRequired:
            return "the private key is encrypted: a passphrase is required"
        case .wrongPassphrase:
            return "the passphrase does not decrypt the private key (wrong passphrase or corrupt key)"
        case .invalidCertificate(let detail):
            return "cannot decode X.509 certificate" + Self.suffix(detail)
        case .unsupportedKey(let kind):
            return "unsupported key type \(kind): only RSA, EC P-256 and SM2 keys are supported"
        case .keyMismatch(let algorithm, let key):
            return "signature algorithm \(algorithm.uri) cannot be used with a \(key) key"
        case .malformedSignature(let reason):
            return "malformed signature value: \(reason)"
        case .signatureMismatch:
            return "signature does not match the signed data and the signer's key"
        case .certificateNotYetValid(let subject, let notBefore):
            return "certificate \(subject) is not valid before \(Self.format(notBefore))"
        case .certificateExpired(let subject, let notAfter):
            return "certificate \(subject) expired at \(Self.format(notAfter))"
        case .keyUsageForbidsSigning(let subject):
            return "certificate \(subject) is not allowed to sign: key usage has neither digitalSignature nor nonRepudiation"
        case .untrustedCertificate(let subject, let reason):
            return "certificate \(subject) is not trusted: \(reason)"
        case .openSSL(let operation, let detail):
            return "\(operation) failed" + Self.suffix(detail)
        }
    }

    private static func suffix(_ detail: String) -> String {
        detail.isEmpty ? "" : ": \(detail)"
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
