/// A message digest used by XML-DSig `ds:DigestMethod` (and inside signature algorithms).
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SHA-1. Weak, but still what e-port senders put in `ds:DigestMethod`, even beside SM2.
    case sha1
    /// SHA-256.
    case sha256
    /// SM3 (GB/T 32905), the Chinese national hash.
    case sm3

    /// The URI written into `ds:DigestMethod/@Algorithm` when signing.
    ///
    /// - sha1: `http://www.w3.org/2000/09/xmldsig#sha1`
    /// - sha256: `http://www.w3.org/2001/04/xmlenc#sha256`
    /// - sm3: `http://www.w3.org/2007/05/xmldsig-more#sm3`
    public var uri: String {
        switch self {
        case .sha1: return "http://www.w3.org/2000/09/xmldsig#sha1"
        case .sha256: return "http://www.w3.org/2001/04/xmlenc#sha256"
        case .sm3: return "http://www.w3.org/2007/05/xmldsig-more#sm3"
        }
    }

    /// Recognises a `ds:DigestMethod/@Algorithm` URI; `nil` for anything else.
    ///
    /// Accepted besides each `uri`: `http://www.chinaport.gov.cn/2022/04/xmldsig#sm3` for SM3, the URI the
    /// 202205 customs samples pair with `…/2022/04/xmldsig#sm2-sm3` (signed by the `eport2022` profile). No evidence was found for
    /// a `…chinaport.gov.cn/2010/xmldsig#sm3` URI, so it is not accepted.
    public init?(uri: String) {
        switch uri {
        case "http://www.w3.org/2000/09/xmldsig#sha1": self = .sha1
        case "http://www.w3.org/2001/04/xmlenc#sha256": self = .sha256
        case "http://www.w3.org/2007/05/xmldsig-more#sm3", SignatureProfile.eport2022DigestMethod: self = .sm3
        default: return nil
        }
    }

    /// `true` for SHA-1: collisions are practical; callers should warn or refuse by configuration.
    public var isWeak: Bool { self == .sha1 }

    /// Digest length in bytes (20 for SHA-1, 32 for SHA-256 and SM3).
    public var outputLength: Int { self == .sha1 ? 20 : 32 }

    /// The digest of `bytes` in one call.
    public func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let digester = Digester(self)
        digester.update(bytes)
        return digester.finalize()
    }

    /// A short name (`sha1`, `sha256`, `sm3`).
    public var description: String { rawValue }

    /// The process-wide fetched libcrypto implementation.
    var fetched: FetchedDigest {
        switch self {
        case .sha1: return .sha1
        case .sha256: return .sha256
        case .sm3: return .sm3
        }
    }
}
