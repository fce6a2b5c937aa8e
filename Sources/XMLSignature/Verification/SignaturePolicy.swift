import Foundation
import XMLStreaming

/// What a ``SignatureVerifier`` accepts: algorithms, weak elements, trust and time.
///
/// The defaults accept both e-port profiles (SM2 with SHA-1 reference digests; RSA-SHA1 with 1024-bit
/// keys) and the standard algorithms, reporting each weak element as a ``VerificationWarning``.
public struct SignaturePolicy: Sendable {
    /// Who may sign: CA certificates and pinned signer certificates.
    public var trustStore: TrustStore
    /// Signature methods accepted.
    public var allowedSignatureAlgorithms: Set<SignatureAlgorithm>
    /// Reference digest methods accepted.
    public var allowedDigestAlgorithms: Set<DigestAlgorithm>
    /// Canonicalization methods accepted (for `ds:SignedInfo` and as the optional reference transform).
    public var allowedCanonicalizations: Set<CanonicalizationMethod>
    /// Refuse SHA-1 reference digests instead of warning.
    public var refusesWeakDigests: Bool
    /// Refuse RSA-SHA1 signatures instead of warning.
    public var refusesWeakSignatureAlgorithms: Bool
    /// Refuse RSA keys under 2048 bits instead of warning.
    public var refusesWeakKeys: Bool
    /// The SM2 signer ID expected on SM2 signatures (e-port: `1234567812345678`).
    public var sm2SignerID: SM2SignerID
    /// Bounds on the untrusted input.
    public var limits: XMLLimits
    /// Largest `ds:Signature` element accepted, in canonical bytes.
    public var maxSignatureBytes: Int
    /// The time certificates are judged at.
    public var clock: @Sendable () -> Date
    /// Root children that may follow the `ds:Signature` (the official export CEB schema puts
    /// `ceb:ExtendMessage` after it); empty: the signature must be the last child. Safe because the
    /// reference is the whole document and the enveloped transform removes the signature only: these
    /// elements are digested like the rest. Text other than whitespace, comments, processing
    /// instructions, other elements and a second signature after it are still refused.
    public var elementsAllowedAfterSignature: [ElementName]

    /// A policy trusting `trustStore`, accepting every supported algorithm and warning on weak ones.
    public init(
        trustStore: TrustStore,
        allowedSignatureAlgorithms: Set<SignatureAlgorithm> = Set(SignatureAlgorithm.allCases),
        allowedDigestAlgorithms: Set<DigestAlgorithm> = Set(DigestAlgorithm.allCases),
        allowedCanonicalizations: Set<CanonicalizationMethod> = Set(CanonicalizationMethod.allCases),
        refusesWeakDigests: Bool = false,
        refusesWeakSignatureAlgorithms: Bool = false,
        refusesWeakKeys: Bool = false,
        sm2SignerID: SM2SignerID = .gmtDefault,
        limits: XMLLimits = .standard,
        maxSignatureBytes: Int = 256 << 10,
        clock: @escaping @Sendable () -> Date = { Date() },
        elementsAllowedAfterSignature: [ElementName] = []
    ) {
        self.elementsAllowedAfterSignature = elementsAllowedAfterSignature
        self.trustStore = trustStore
        self.allowedSignatureAlgorithms = allowedSignatureAlgorithms
        self.allowedDigestAlgorithms = allowedDigestAlgorithms
        self.allowedCanonicalizations = allowedCanonicalizations
        self.refusesWeakDigests = refusesWeakDigests
        self.refusesWeakSignatureAlgorithms = refusesWeakSignatureAlgorithms
        self.refusesWeakKeys = refusesWeakKeys
        self.sm2SignerID = sm2SignerID
        self.limits = limits
        self.maxSignatureBytes = maxSignatureBytes
        self.clock = clock
    }

    /// Whether every weak element is refused; setting it sets the three `refusesWeak…` flags.
    public var refusesWeak: Bool {
        get { refusesWeakDigests && refusesWeakSignatureAlgorithms && refusesWeakKeys }
        set {
            refusesWeakDigests = newValue
            refusesWeakSignatureAlgorithms = newValue
            refusesWeakKeys = newValue
        }
    }

    /// Whether `warning` is refused rather than reported.
    func refuses(_ warning: VerificationWarning) -> Bool {
        switch warning {
        case .weakDigest: return refusesWeakDigests
        case .weakSignatureAlgorithm: return refusesWeakSignatureAlgorithms
        case .weakKey: return refusesWeakKeys
        }
    }
}
