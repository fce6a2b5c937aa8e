/// What the inbound signature gate found, stored with every message (`signature_verdict`).
public enum SignatureVerdict: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Verified with the sender's registered certificate.
    case valid
    /// Verified, with warnings (SHA-1, RSA-1024).
    case validWithWarnings = "valid-with-warnings"
    /// Signed, and the signature does not verify with the registered certificate.
    case invalid
    /// No signature.
    case unsigned
    /// Signed, but there was no certificate to check it against.
    case unchecked

    public var description: String { rawValue }

    /// Whether the signature verified.
    public var isValid: Bool { self == .valid || self == .validWithWarnings }
}
