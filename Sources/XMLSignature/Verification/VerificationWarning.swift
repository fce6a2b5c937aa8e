/// A weak element of an otherwise valid signature. Accepted by default (real e-port senders use
/// them) and reported; each kind becomes a refusal through ``SignaturePolicy``.
public enum VerificationWarning: Sendable, Hashable, CustomStringConvertible {
    /// The reference digest is weak (SHA-1, as in both e-port profiles).
    case weakDigest(DigestAlgorithm)
    /// The signature algorithm is weak (RSA-SHA1, the older e-port profile).
    case weakSignatureAlgorithm(SignatureAlgorithm)
    /// The signer's key is weak (RSA under 2048 bits, the older e-port profile's 1024-bit keys).
    case weakKey(KeyKind)

    /// A stable code: `SIGW01`…
    public var code: String {
        switch self {
        case .weakDigest: return "SIGW01"
        case .weakSignatureAlgorithm: return "SIGW02"
        case .weakKey: return "SIGW03"
        }
    }

    /// A sentence a person can act on.
    public var message: String {
        switch self {
        case .weakDigest(let digest):
            return "the reference digest uses \(digest) (\(digest.uri)), which is weak: collisions are practical"
        case .weakSignatureAlgorithm(let algorithm):
            return "the signature uses \(algorithm) (\(algorithm.uri)), which is weak"
        case .weakKey(let kind):
            return "the signer's key is \(kind), under 2048 bits: weak"
        }
    }

    public var description: String { "\(code) \(message)" }
}
