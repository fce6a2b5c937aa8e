import Foundation

/// A verified signature: who signed, with what, and the weak elements accepted.
public struct VerificationResult: Sendable {
    /// The signer's certificate (from `ds:KeyInfo`), trusted by the policy.
    public let signer: Certificate
    /// The signature method.
    public let signatureAlgorithm: SignatureAlgorithm
    /// The reference digest method.
    public let digestAlgorithm: DigestAlgorithm
    /// `ds:SignatureMethod/@Algorithm` as written (several URIs name one algorithm; the profile tells them apart).
    public let signatureMethodURI: String
    /// `ds:DigestMethod/@Algorithm` as written.
    public let digestMethodURI: String
    /// The canonicalization of `ds:SignedInfo`.
    public let signedInfoCanonicalization: CanonicalizationMethod
    /// The canonicalization the document was digested with.
    public let referenceCanonicalization: CanonicalizationMethod
    /// `ds:KeyName`, when present (it matched the certificate serial).
    public let keyName: String?
    /// The weak elements accepted, in the order found.
    public let warnings: [VerificationWarning]

    /// The profile the signature follows: `.eport2022` for the e-port's 2022 SM2 and SM3 URIs, `.eport` for
    /// SM2 with a SHA-1 reference digest or RSA-SHA1, `.standard` otherwise.
    public var profile: SignatureProfile {
        if signatureMethodURI == SignatureProfile.eport2022SignatureMethod && digestMethodURI == SignatureProfile.eport2022DigestMethod {
            return .eport2022
        }
        switch (signatureAlgorithm, digestAlgorithm) {
        case (.sm2SM3, .sha1), (.rsaSHA1, .sha1): return .eport
        default: return .standard
        }
    }

    /// One line: signer, algorithms and warnings.
    public var summary: String {
        var line = "signed by \(signer.subject) (serial \(signer.serialNumberHex), issuer \(signer.issuer)); "
            + "\(signatureAlgorithm.uri) with \(digestAlgorithm) digest"
        if !warnings.isEmpty { line += "; warnings: " + warnings.map(\.description).joined(separator: "; ") }
        return line
    }
}
