/// An XML canonicalization algorithm, as named by `ds:CanonicalizationMethod` or a `ds:Transform`.
public enum CanonicalizationMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Inclusive Canonical XML 1.0 without comments (the e-port profile's SignedInfo method).
    case inclusive
    /// Inclusive Canonical XML 1.0 with comments.
    case inclusiveWithComments
    /// Exclusive XML Canonicalization 1.0 without comments.
    case exclusive
    /// Exclusive XML Canonicalization 1.0 with comments.
    case exclusiveWithComments

    /// The algorithm URI.
    public var uri: String {
        switch self {
        case .inclusive: return "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
        case .inclusiveWithComments: return "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
        case .exclusive: return "http://www.w3.org/2001/10/xml-exc-c14n#"
        case .exclusiveWithComments: return "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
        }
    }

    /// Recognises an algorithm URI; `nil` for anything else (C14N 1.1 included: not supported).
    public init?(uri: String) {
        guard let method = Self.allCases.first(where: { $0.uri == uri }) else { return nil }
        self = method
    }

    /// Whether comments are kept.
    public var keepsComments: Bool { self == .inclusiveWithComments || self == .exclusiveWithComments }

    /// Whether this is exclusive canonicalization (only visibly utilized namespaces are rendered).
    public var isExclusive: Bool { self == .exclusive || self == .exclusiveWithComments }

    /// The same algorithm without comments.
    public var withoutComments: CanonicalizationMethod { isExclusive ? .exclusive : .inclusive }

    /// The short name (`inclusive`, …).
    public var description: String { rawValue }
}
