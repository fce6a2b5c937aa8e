/// How a document is signed, chosen by the key's type.
///
/// - `standard`: RSA → RSA-SHA256, EC P-256 → ECDSA-SHA256 (SHA-256 reference digests);
///   SM2 → SM2-SM3 with an SM3 reference digest.
/// - `eport`: what real e-port keys produce (see `shared/ceb-reference.md`): SM2 → `…xmldsig#sm2-sm3`
///   with a **SHA-1** reference digest; RSA → `…xmldsig#rsa-sha1` with SHA-1. No EC profile exists.
/// - `eport2022`: the 202205 edition of the customs specification, and e-port SM2 keys issued from 2023:
///   SM2 → ``eport2022SignatureMethod`` with an SM3 reference digest named ``eport2022DigestMethod``
///   (the layout of `customs-spec/samples-202205`). Only SM2: those URIs name SM2 and SM3.
///
/// The raw values (`standard`, `eport`, `eport2022`) are what configuration files and the CLI use.
public enum SignatureProfile: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Modern algorithms.
    case standard
    /// The e-port profiles, for destinations that require them.
    case eport
    /// The 202205 e-port profile: SM2-SM3 over an SM3 digest, with the e-port's 2022 URIs.
    case eport2022

    /// `ds:SignatureMethod` of the 2022 profile (SM2 with SM3, signer ID `1234567812345678`).
    public static let eport2022SignatureMethod = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
    /// `ds:DigestMethod` of the 2022 profile (SM3).
    public static let eport2022DigestMethod = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"

    /// The signature and reference digest algorithms this profile uses for a key of `kind`.
    /// - Throws: ``SignatureError`` `.profileNotApplicable` when the profile has no algorithm for the key.
    public func algorithms(for kind: KeyKind) throws(SignatureError) -> (signature: SignatureAlgorithm, digest: DigestAlgorithm) {
        switch (self, kind) {
        case (.standard, .rsa): return (.rsaSHA256, .sha256)
        case (.standard, .ecP256): return (.ecdsaSHA256, .sha256)
        case (.standard, .sm2), (.eport2022, .sm2): return (.sm2SM3, .sm3)
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

    /// The URI this profile writes into `ds:SignatureMethod` for `algorithm`: the e-port's 2022 one for
    /// SM2 in `eport2022`, the algorithm's own otherwise.
    public func signatureMethodURI(for algorithm: SignatureAlgorithm) -> String {
        self == .eport2022 && algorithm == .sm2SM3 ? Self.eport2022SignatureMethod : algorithm.uri
    }

    /// The URI this profile writes into `ds:DigestMethod` for `digest`: the e-port's 2022 one for SM3 in
    /// `eport2022`, the digest's own otherwise.
    public func digestMethodURI(for digest: DigestAlgorithm) -> String {
        self == .eport2022 && digest == .sm3 ? Self.eport2022DigestMethod : digest.uri
    }

    public var description: String { rawValue }
}
