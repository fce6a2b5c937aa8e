import ClearanceStore
import XMLSignature
import XMLStreaming

/// The inbound signature gate for a message that arrives in pieces (a batch upload of hundreds
/// of megabytes): the same decision as ``InboundSignatureGate/check(bytes:hasSignature:signer:claimedCode:)``,
/// with the enveloped signature verified while the bytes stream past, in constant memory.
///
/// It runs its own parser beside the ingest's: the signature can only be judged at the end, and
/// the ingest must not wait for that. What the verdict controls is whether the stored batch goes
/// on (it is never forwarded unless the decision has no refusal).
public final class StreamingSignatureCheck {
    private let gate: InboundSignatureGate
    private let signer: EnterpriseRecord?
    private let claimedCode: String
    private let verification: SignatureVerification?
    private let parser: XMLPushParser?
    private var failure: VerificationFailure?

    /// Starts a check for a message from `signer` (the enterprise whose certificate must verify it).
    public init(gate: InboundSignatureGate, signer: EnterpriseRecord?, claimedCode: String) {
        self.gate = gate
        self.signer = signer
        self.claimedCode = claimedCode
        // Verify whenever there is a certificate to verify with, so a signed batch records `valid`.
        if let pem = signer?.certificatePEM, let verifier = try? InboundSignatureGate.verifiers.verifier(pinning: pem) {
            let verification = verifier.verification()
            self.verification = verification
            parser = XMLPushParser(limits: verifier.policy.limits, handler: verification)
        } else {
            verification = nil
            parser = nil
            if signer?.certificatePEM != nil { failure = VerificationFailure(.invalidCertificate("the registered certificate cannot be read")) }
        }
    }

    /// Passes the next bytes of the message.
    public func feed(_ bytes: [UInt8]) {
        guard failure == nil, let parser else { return }
        do {
            try parser.feed(bytes)
        } catch {
            failure = VerificationFailure(.xml(error), at: error.position)
        }
    }

    /// The decision, once the message has ended.
    public func finish() -> InboundSignatureGate.Decision {
        var outcome: Result<VerificationResult, VerificationFailure>
        if let failure {
            outcome = .failure(failure)
        } else if let parser, let verification {
            do {
                try parser.finish()
                outcome = Result { () throws(VerificationFailure) -> VerificationResult in try verification.result() }
            } catch {
                outcome = .failure(VerificationFailure(.xml(error), at: error.position))
            }
        } else {
            outcome = .failure(VerificationFailure(.missingCertificate))
        }
        // "Missing signature" from the verifier is the gate's unsigned case, with its own code and rule.
        let unsigned: Bool
        if case .failure(let error) = outcome, error.reason == .missingSignature { unsigned = true } else { unsigned = false }
        let hasSignature = parser == nil ? false : !unsigned
        return gate.decide(hasSignature: hasSignature, signer: signer, claimedCode: claimedCode) { outcome }
    }
}

extension StreamingSignatureCheck {
    /// The gate's decision on a message already stored (by `clearance ingest`), read back piece by
    /// piece: its signer is the enterprise its stored sender code names.
    public static func decide(storedMessage guid: String, store: any AccessStore, gate: InboundSignatureGate) async throws(StoreError) -> InboundSignatureGate.Decision {
        guard let header = try await store.messageHeader(guid: guid) else { throw .notFound("message \(guid)") }
        let sender = header.record.senderCode
        let signer = sender.isEmpty ? nil : try await store.enterprise(code: sender)
        let check = StreamingSignatureCheck(gate: gate, signer: signer, claimedCode: sender)
        if signer?.certificatePEM != nil {
            for index in 0..<header.pieces { check.feed(try await store.rawPiece(guid: guid, index: index)) }
        }
        return check.finish()
    }
}
