/// An XML-DSig `ds:SignatureMethod`: a key family plus the digest it signs over.
///
/// Signature values are always in the XML-DSig wire format: RSA PKCS#1 v1.5 bytes; ECDSA and SM2 as
/// raw `r || s`, each half left-padded to the curve's field size (32 bytes for P-256 and SM2).
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// RSA PKCS#1 v1.5 with SHA-256.
    case rsaSHA256
    /// RSA PKCS#1 v1.5 with SHA-1: the older e-port profile (with 1024-bit keys). Weak.
    case rsaSHA1
    /// ECDSA on P-256 with SHA-256.
    case ecdsaSHA256
    /// SM2 with SM3 (GM/T 0003, GM/T 0009), signer ID `1234567812345678` unless told otherwise.
    case sm2SM3

    /// The URI written into `ds:SignatureMethod/@Algorithm` when signing.
    ///
    /// - rsaSHA256: `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`
    /// - rsaSHA1: `http://www.w3.org/2000/09/xmldsig#rsa-sha1`
    /// - ecdsaSHA256: `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256`
    /// - sm2SM3: `http://www.w3.org/2000/09/xmldsig#sm2-sm3`, the e-port's own URI (seen on the genuine
    ///   e-port signature in `shared/vectors/eport-sm2`); it is not a W3C-registered URI.
    public var uri: String {
        switch self {
        case .rsaSHA256: return "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        case .rsaSHA1: return "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
        case .ecdsaSHA256: return "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        case .sm2SM3: return "http://www.w3.org/2000/09/xmldsig#sm2-sm3"
        }
    }

    /// Recognises a `ds:SignatureMethod/@Algorithm` URI; `nil` for anything else.
    ///
    /// Accepted besides each `uri`: `http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3` for SM2, the URI
    /// of the 202205 customs samples and of e-port SM2 keys issued from 2023 (signed by the `eport2022` profile). `…/xmldsig-more#sm2-sm3` is not
    /// accepted: no sender was found using it and RFC 6931 does not define it.
    public init?(uri: String) {
        switch uri {
        case "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": self = .rsaSHA256
        case "http://www.w3.org/2000/09/xmldsig#rsa-sha1": self = .rsaSHA1
        case "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": self = .ecdsaSHA256
        case "http://www.w3.org/2000/09/xmldsig#sm2-sm3", SignatureProfile.eport2022SignatureMethod: self = .sm2SM3
        default: return nil
        }
    }

    /// The digest the signature is computed over.
    public var digest: DigestAlgorithm {
        switch self {
        case .rsaSHA256, .ecdsaSHA256: return .sha256
        case .rsaSHA1: return .sha1
        case .sm2SM3: return .sm3
        }
    }

    /// `true` for RSA-SHA1 (SHA-1 collisions). Key strength is judged separately: see `KeyKind.isWeak`.
    public var isWeak: Bool { digest.isWeak }

    /// Whether a key of `kind` can produce or check this algorithm's signatures.
    public func accepts(_ kind: KeyKind) -> Bool {
        switch (self, kind) {
        case (.rsaSHA256, .rsa), (.rsaSHA1, .rsa), (.ecdsaSHA256, .ecP256), (.sm2SM3, .sm2): return true
        default: return false
        }
    }

    /// The natural algorithm for a key: RSA → rsaSHA256, P-256 → ecdsaSHA256, SM2 → sm2SM3.
    public static func preferred(for kind: KeyKind) -> SignatureAlgorithm? {
        switch kind {
        case .rsa: return .rsaSHA256
        case .ecP256: return .ecdsaSHA256
        case .sm2: return .sm2SM3
        case .other: return nil
        }
    }

    /// The case name (`rsaSHA256`, …).
    public var description: String { rawValue }
}
