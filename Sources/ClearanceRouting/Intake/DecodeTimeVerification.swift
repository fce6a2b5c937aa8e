import XMLSignature

/// A message's signature verified while it was decoded, against the certificate its sender was
/// expected to sign with (the authenticated account's): the gate uses it when that is the
/// certificate it must check, and verifies again only when the signer turns out to be another
/// (an ops account or the local operator sending for an enterprise).
public struct DecodeTimeVerification: Sendable {
    /// The registered certificate the signature was checked against.
    public var certificatePEM: String
    /// What the check found.
    public var outcome: Result<VerificationResult, VerificationFailure>

    /// Records an outcome.
    public init(certificatePEM: String, outcome: Result<VerificationResult, VerificationFailure>) {
        self.certificatePEM = certificatePEM
        self.outcome = outcome
    }
}
