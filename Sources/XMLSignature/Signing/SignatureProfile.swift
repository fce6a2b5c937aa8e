/// How a document is signed, chosen by the key's type.
///
/// - `standard`: RSA → RSA-SHA256, EC P-256 → ECDSA-SHA256 (SHA-256 reference digests);
///   SM2 → SM2-SM3 with an SM3 reference digest.
/// - `eport`: what real e-port keys produce (see `shared/ceb-reference.md`): SM2 → `…xmldsig#sm2-sm3`
///   with a **SHA-1** reference digest; RSA → `…xmldsig#rsa-sha1` with SHA-1. No EC profile exists.
public enum SignatureProfile: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Modern algorithms.
    case standard
    /// The e-port profiles, for destinations that require them.
    case eport

    /// The signature and reference digest algorithms this profile uses for a key of `kind`.
    /// - Throws: ``SignatureError`` `.profileNotApplicable` when the profile has no algorithm for the key.
    public func algorithms(for kind: KeyKind) throws(SignatureError) -> (signature: SignatureAlgorithm, digest: DigestAlgorithm) {
        switch (self, kind) {
        case (.standard, .rsa): return (.rsaSHA256, .sha256)
        case (.standard, .ecP256): return (.ecdsaSHA256, .sha256)
        case (.standard, .sm2): return (.sm2SM3, .sm3)
        case (.eport, .rsa): return (.rsaSHA1, .sha1)
        case (.eport, .sm2): return (.sm2SM3, .sha1)
        default: throw SignatureError(.profileNotApplicable(profile: self, key: kind))
        }
    }

    /// The reference digest this profile pairs with an explicitly chosen signature algorithm.
    public func digest(for algorithm: SignatureAlgorithm) -> DigestAlgorithm {
        switch (self, algorithm) {
        case (.eport, .sm2SM3), (.eport, .rsaSHA1): return .sha1
        default: return algorithm.digest
        }
    }

    public var description: String { rawValue }
}
