import CEBModel
import ClearanceIngest
import ClearanceRules
import ClearanceStore
import XMLSignature

/// A CEB message decoded in one pass: envelope facts, typed documents, schema and customs issues.
public struct DecodedMessage: Sendable {
    /// Envelope guid.
    public var guid: String
    /// Message type number, e.g. `CEB621`.
    public var messageType: String
    /// `BaseTransfer/copCode`, when present.
    public var senderCode: String?
    /// The whole `BaseTransfer`, when present (a message Clearance writes for the same sender reuses it).
    public var baseTransfer: BaseTransfer?
    /// The business documents in order.
    public var documents: [CEBDocument]
    /// Whether the message carries a `ds:Signature`.
    public var hasSignature: Bool
    /// Every issue (schema, customs rules, envelope).
    public var issues: [ValidationIssue]
    /// The bytes decoded (the bare CEB message, unwrapped).
    public var bytes: [UInt8]
    /// The signature checked in the decoding parse, when a certificate to check it with was given.
    public var verification: DecodeTimeVerification?

    /// Whether the message carries receipts (customs receipts or an authority's answers) rather than declarations.
    public var isReceipt: Bool { documents.contains { DeclarationMapper.receipt($0, messageGuid: guid) != nil } }

    /// Errors only.
    public var errors: [ValidationIssue] { issues.filter { $0.severity == .error } }

    /// Decodes `bytes` (a bare CEB message, or one wrapped in `dxp:DxpMsg`), running the customs
    /// field rules beside the schema's.
    /// - Parameter pem: a registered certificate to verify the signature against in the same
    ///   parse (``verification``); a signed message is otherwise parsed again to verify it.
    public static func decode(_ input: [UInt8], verifyingAgainst pem: String? = nil) throws(FlowError) -> DecodedMessage {
        var bytes = input
        if TransportEnvelope.isEnvelope(input) {
            do {
                bytes = try TransportEnvelope.unwrap(input).message
            } catch {
                throw FlowError.unreadable(error.description)
            }
        }
        // The verification reads the parse's events and hands each on to the decoder.
        var verifier: SignatureVerifier?
        var early: DecodeTimeVerification?
        if let pem {
            do {
                verifier = try InboundSignatureGate.verifier(pinning: pem)
            } catch {
                early = DecodeTimeVerification(certificatePEM: pem, outcome: .failure(error))
            }
        }
        var verification: SignatureVerification?
        let whole: WholeMessage
        do {
            whole = try WholeMessage.decode(bytes, rules: CustomsRules.standard, tee: verifier.map { verifier in
                { decoder in
                    let tee = verifier.verification(of: bytes, forwardingTo: decoder)
                    verification = tee
                    return tee
                }
            })
        } catch {
            throw FlowError.unreadable("\(error)")
        }
        guard let guid = whole.guid, let type = whole.messageType else { throw FlowError.unreadable("not a CEB message (no guid or unknown root)") }
        if let pem, let verifier, let verification {
            early = DecodeTimeVerification(certificatePEM: pem, outcome: Result { () throws(VerificationFailure) -> VerificationResult in
                try verifier.result(of: verification, bytes: bytes)
            })
        }
        return DecodedMessage(
            guid: guid, messageType: type, senderCode: whole.envelope?.baseTransfer?.copCode,
            baseTransfer: whole.envelope?.baseTransfer, documents: whole.documents,
            hasSignature: whole.envelope?.hasSignature ?? false, issues: whole.issues, bytes: bytes, verification: early)
    }
}

/// Why the flow could not take a message. The store's own error is kept, not turned into text,
/// so a caller can tell a lost connection from a missing row.
public enum FlowError: Error, Sendable, CustomStringConvertible {
    /// The bytes are not a readable CEB message (or envelope).
    case unreadable(String)
    /// The store failed.
    case store(StoreError)
    /// The history the cross-message rules read could not be read.
    case history(ClearanceHistoryError)

    public var description: String {
        switch self {
        case .unreadable(let why): "unreadable message: \(why)"
        case .store(let error): "store: \(error)"
        case .history(let error): "\(error)"
        }
    }
}
