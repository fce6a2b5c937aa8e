import ClearanceStore
import XMLSignature

/// Decides whether an inbound single message's signature is acceptable for its sender.
///
/// The certificate registered for the enterprise named by the message's `copCode` (or, for
/// receipts, for the authenticated system) is the only one trusted: a message signed by
/// another enterprise's key does not verify against it and is refused.
struct SignatureGate {
    /// The outcome: the verdict stored with the message, and a refusal when it may not be accepted.
    struct Decision {
        var verdict: String
        var refusal: IssueDTO?
    }

    let requireWhenRegistered: Bool

    func check(bytes: [UInt8], hasSignature: Bool, signer: EnterpriseRecord?, claimedCode: String) -> Decision {
        guard let signer else {
            return Decision(verdict: hasSignature ? "unchecked" : "unsigned", refusal: nil)
        }
        let required = signer.requireSignature || (requireWhenRegistered && signer.certificatePEM != nil)
        guard let pem = signer.certificatePEM else {
            if required {
                return Decision(verdict: "unsigned", refusal: IssueDTO(
                    code: "SIG002", field: "ds:Signature", message: "no signing certificate is registered for \(claimedCode)"))
            }
            return Decision(verdict: hasSignature ? "unchecked" : "unsigned", refusal: nil)
        }
        guard hasSignature else {
            if required {
                return Decision(verdict: "unsigned", refusal: IssueDTO(
                    code: "SIG001", field: "ds:Signature", message: "a signature by the certificate registered for \(claimedCode) is required"))
            }
            return Decision(verdict: "unsigned", refusal: nil)
        }
        do {
            let certificates = try Certificate.all(pem: pem)
            let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(pinned: certificates)))
            let result = try verifier.verify(bytes: bytes)
            return Decision(verdict: result.warnings.isEmpty ? "valid" : "valid-with-warnings", refusal: nil)
        } catch {
            return Decision(verdict: "invalid", refusal: IssueDTO(
                code: "SIG003", field: "ds:Signature",
                message: "the signature does not verify with the certificate registered for \(claimedCode): \(error)"))
        }
    }
}
