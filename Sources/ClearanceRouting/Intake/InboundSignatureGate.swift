import Foundation
import ClearanceRules
import ClearanceStore
import XMLSignature

/// Decides whether an inbound message's signature is acceptable for its sender; the HTTP service
/// (`POST /v1/messages`) and `clearance submit` both ask it before the flow takes a message.
///
/// The certificate registered for the enterprise named by the message's `copCode` (or, for
/// receipts, for the authenticated system) is the only one trusted: a message signed by
/// another enterprise's key does not verify against it and is refused.
public struct InboundSignatureGate: Sendable {
    /// The outcome: the verdict stored with the message, and a refusal when it may not be accepted.
    public struct Decision: Sendable, Hashable {
        /// What the gate found.
        public var verdict: SignatureVerdict
        /// Why the message is refused (`SIG001` missing, `SIG002` no certificate registered, `SIG003` does not verify).
        public var refusal: CrossMessageIssue?
    }

    /// Whether an enterprise with a registered certificate must sign (besides those flagged `requireSignature`).
    public let requireWhenRegistered: Bool

    /// Creates a gate.
    public init(requireWhenRegistered: Bool = true) {
        self.requireWhenRegistered = requireWhenRegistered
    }

    /// Checks `message` (its bare CEB bytes) against the certificate registered for `signer`,
    /// using the check made while it was decoded when that was against the same certificate.
    /// - Parameters:
    ///   - signer: the enterprise the message claims to come from, when it is registered.
    ///   - claimedCode: its code, for messages.
    public func check(_ message: DecodedMessage, signer: EnterpriseRecord?, claimedCode: String) -> Decision {
        decide(hasSignature: message.hasSignature, signer: signer, claimedCode: claimedCode) {
            guard let pem = signer?.certificatePEM else { return .failure(VerificationFailure(.missingCertificate)) }
            if let early = message.verification, early.certificatePEM == pem { return early.outcome }
            return Result { () throws(VerificationFailure) -> VerificationResult in try Self.verifier(pinning: pem).verify(bytes: message.bytes) }
        }
    }

    /// The verifier trusting only the registered certificate `pem`.
    static func verifier(pinning pem: String) throws(VerificationFailure) -> SignatureVerifier {
        do {
            return try verifiers.verifier(pinning: pem)
        } catch {
            throw VerificationFailure(.invalidCertificate("the registered certificate cannot be used: \(error)"))
        }
    }

    /// Whether `signer` must sign.
    public func requiresSignature(_ signer: EnterpriseRecord?) -> Bool {
        guard let signer else { return false }
        return signer.requireSignature || (requireWhenRegistered && signer.certificatePEM != nil)
    }

    /// The decision, given how the signature verified against the signer's certificate (asked
    /// only when the signer has one and the message is signed).
    func decide(
        hasSignature: Bool, signer: EnterpriseRecord?, claimedCode: String,
        verification: () -> Result<VerificationResult, VerificationFailure>
    ) -> Decision {
        guard let signer else {
            return Decision(verdict: hasSignature ? .unchecked : .unsigned, refusal: nil)
        }
        let required = requiresSignature(signer)
        guard signer.certificatePEM != nil else {
            if required {
                return Decision(verdict: .unsigned, refusal: CrossMessageIssue(
                    code: "SIG002", field: "ds:Signature", message: "no signing certificate is registered for \(claimedCode)"))
            }
            return Decision(verdict: hasSignature ? .unchecked : .unsigned, refusal: nil)
        }
        guard hasSignature else {
            if required {
                return Decision(verdict: .unsigned, refusal: CrossMessageIssue(
                    code: "SIG001", field: "ds:Signature", message: "a signature by the certificate registered for \(claimedCode) is required"))
            }
            return Decision(verdict: .unsigned, refusal: nil)
        }
        switch verification() {
        case .success(let result):
            return Decision(verdict: result.warnings.isEmpty ? .valid : .validWithWarnings, refusal: nil)
        case .failure(let error):
            return Decision(verdict: .invalid, refusal: CrossMessageIssue(
                code: "SIG003", field: "ds:Signature",
                message: "the signature does not verify with the certificate registered for \(claimedCode): \(error)"))
        }
    }
}

extension InboundSignatureGate {
    /// Verifiers by registered certificate PEM: parsing the certificates and building the trust
    /// store cost more than checking one small message's signature. A new registration is new
    /// text, so a key never goes stale; certificate times are judged at each verification.
    static let verifiers = VerifierCache()

    final class VerifierCache: @unchecked Sendable {
        // `entries` is only touched with `lock` held.
        private let lock = NSLock()
        private var entries: [String: SignatureVerifier] = [:]
        static let capacity = 256

        func verifier(pinning pem: String) throws -> SignatureVerifier {
            if let cached = lock.withLock({ entries[pem] }) { return cached }
            var policy = SignaturePolicy(trustStore: try TrustStore(pinned: try Certificate.all(pem: pem)))
            // Export messages put `ExtendMessage` after the signature (the official order); it is digested like
            // the rest, and the decoder refuses it there in an import message (SCH010).
            policy.elementsAllowedAfterSignature = [OutboundPreparer.extendMessage]
            let verifier = SignatureVerifier(policy: policy)
            lock.withLock {
                if entries.count >= Self.capacity { entries.removeAll() }
                entries[pem] = verifier
            }
            return verifier
        }
    }
}
