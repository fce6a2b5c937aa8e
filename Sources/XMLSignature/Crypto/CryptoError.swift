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
    /// A `pkcs11:` key reference is not a usable RFC 7512 URI (or carries a PIN). Code `KEY001`.
    case invalidPKCS11URI(reason: String)
    /// The PKCS#11 route could not start: the `pkcs11` engine (libengine-pkcs11-openssl) or the token's
    /// module did not load. Code `KEY002`.
    case pkcs11Unavailable(detail: String)
    /// The token wants a PIN and none was given. Code `KEY003`.
    case pkcs11PINRequired
    /// The token refused the PIN. Code `KEY004`. Tokens lock after a few wrong PINs: do not retry blindly.
    case pkcs11WrongPIN
    /// The token's PIN is locked (too many wrong PINs) or expired. Code `KEY005`.
    case pkcs11PINLocked
    /// No private key on any token matches the URI. Code `KEY006`.
    case pkcs11KeyNotFound(uri: String, detail: String)
    /// The process already uses another PKCS#11 module; one process talks to one module. Code `KEY007`.
    case pkcs11ModuleConflict(loaded: String, requested: String)
    /// More signatures wait for the token than its queue holds: refused at once instead of piling up. Code `KEY008`.
    case signingQueueFull(limit: Int)
    /// A signature waited longer than the token queue's timeout for its turn. Code `KEY009`.
    case signingTimedOut(seconds: Double)

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
        case .invalidPKCS11URI(let reason):
            return "KEY001 invalid PKCS#11 URI: \(reason)"
        case .pkcs11Unavailable(let detail):
            return "KEY002 PKCS#11 is not available (is libengine-pkcs11-openssl installed and the module path right?)" + Self.suffix(detail)
        case .pkcs11PINRequired:
            return "KEY003 the token needs a PIN: give --pin-file or --pin-env"
        case .pkcs11WrongPIN:
            return "KEY004 the token refused the PIN (wrong PIN; the token may lock after a few more tries)"
        case .pkcs11PINLocked:
            return "KEY005 the token's PIN is locked or expired: unlock it with the security officer PIN"
        case .pkcs11KeyNotFound(let uri, let detail):
            return "KEY006 no private key on the token matches \(uri)" + Self.suffix(detail)
        case .pkcs11ModuleConflict(let loaded, let requested):
            return "KEY007 this process already uses the PKCS#11 module \(loaded); cannot also load \(requested)"
        case .signingQueueFull(let limit):
            return "KEY008 the token's signing queue is full (\(limit) waiting): refused rather than stalling"
        case .signingTimedOut(let seconds):
            return "KEY009 a signature waited more than \(seconds) s for the token"
        }
    }

    /// `true` for a busy token (KEY008, KEY009): trying again later can succeed; every other failure stays.
    public var isTransient: Bool {
        switch self {
        case .signingQueueFull, .signingTimedOut: true
        default: false
        }
    }

    /// A stable code for the key-source failures (`KEY001`…`KEY009`); `nil` for the others, whose callers
    /// report them under their own codes (`SIG…` for signatures).
    public var code: String? {
        switch self {
        case .invalidPKCS11URI: "KEY001"
        case .pkcs11Unavailable: "KEY002"
        case .pkcs11PINRequired: "KEY003"
        case .pkcs11WrongPIN: "KEY004"
        case .pkcs11PINLocked: "KEY005"
        case .pkcs11KeyNotFound: "KEY006"
        case .pkcs11ModuleConflict: "KEY007"
        case .signingQueueFull: "KEY008"
        case .signingTimedOut: "KEY009"
        default: nil
        }
    }

    private static func suffix(_ detail: String) -> String {
        detail.isEmpty ? "" : ": \(detail)"
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
