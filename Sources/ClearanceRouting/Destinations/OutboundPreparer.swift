import CEBModel
import Foundation
import XMLSignature

/// Makes a stored message ready for a destination: signs it with the service's key in the
/// profile the destination requires, then wraps it in the envelope it expects.
///
/// A message that already carries a signature (its sender signed it) is forwarded with that
/// signature untouched. Without a key configured, messages go out as stored.
public struct OutboundPreparer: Sendable {
    /// Signers by profile (`standard`, `eport`), built from one key and certificate.
    public let signers: [SignatureProfile: DocumentSigner]
    /// Clearance's data-exchange id.
    public let senderId: String

    /// Creates a preparer.
    /// - Parameters:
    ///   - key: the service's signing key and its certificate; nil to forward unsigned.
    public init(key: PrivateKey?, certificate: Certificate?, senderId: String) {
        var signers: [SignatureProfile: DocumentSigner] = [:]
        if let key, let certificate {
            for profile in SignatureProfile.allCases {
                if let signer = try? DocumentSigner(key: key, certificate: certificate, profile: profile) { signers[profile] = signer }
            }
        }
        self.signers = signers
        self.senderId = senderId
    }

    /// The wire bytes of `raw` for `destination`; `guid` is the root's guid in `raw` (a part of a split
    /// message has its own, ``PartGuid``), which the gate checks and the envelope carries.
    ///
    /// The signature goes where the official schema of the message wants it: last, or before
    /// `ExtendMessage` in export messages (``CEBModel/MessageSpec/partsAfterSignature``). Messages for
    /// customs or the cross-strait channel then pass ``OutboundGate`` on the exact signed bytes.
    public func prepare(raw: [UInt8], guid: String, messageType: String, for destination: DestinationConfig) throws(DeliveryError) -> OutboundMessage {
        var bytes = raw
        if let signer = signers[destination.profile] {
            do {
                bytes = try signer.sign(bytes: raw, before: Self.partsAfterSignature(messageType))
            } catch {
                if case .alreadySigned = error.reason {
                    bytes = raw
                } else if case .crypto(let crypto) = error.reason, crypto.isTransient {
                    // A busy token (KEY008/KEY009) is a passing state: the outbox tries again later.
                    throw DeliveryError("cannot sign \(guid) for \(destination.name) now: \(crypto)", permanent: false, code: crypto.code)
                } else {
                    throw DeliveryError("cannot sign \(guid) for \(destination.name) (\(destination.profile)): \(error)", permanent: true,
                                        code: { if case .crypto(let crypto) = error.reason { crypto.code } else { nil } }())
                }
            }
        } else if !signers.isEmpty {
            throw DeliveryError("no signer for profile \(destination.profile) with this key type (destination \(destination.name))", permanent: true)
        }
        if OutboundGate.applies(to: destination) {
            try OutboundGate.check(bytes, messageType: messageType, guid: guid, destination: destination)
        }
        let message = OutboundMessage(guid: guid, messageType: messageType, bytes: bytes)
        guard destination.envelope == .dxp else { return message }
        let receiverId = destination.receiverId ?? ""
        // terminal.xsd: SenderId and ReceiverId are 1–16 characters (checked where the gate applies).
        guard !OutboundGate.applies(to: destination) || ((1...16).contains(senderId.count) && (1...16).contains(receiverId.count)) else {
            throw DeliveryError("OUT004 not sent to \(destination.name): the dxp:DxpMsg envelope needs a sender id and a receiverId of 1–16 characters "
                                + "(senderId \"\(senderId)\", receiverId \"\(receiverId)\")", permanent: true, code: "OUT004")
        }
        let wrapped = TransportEnvelope.wrap(
            message: bytes, copMsgId: guid, senderId: senderId, receiverId: receiverId,
            messageType: messageType, fileName: message.fileName)
        return OutboundMessage(guid: guid, messageType: messageType, bytes: wrapped)
    }

    /// Whether messages to `destination` are signed with the service key (a signer for its profile is configured).
    public func signs(for destination: DestinationConfig) -> Bool {
        signers[destination.profile] != nil
    }

    /// The root children a signature must precede in `messageType` (export messages: `ceb:ExtendMessage`).
    static func partsAfterSignature(_ messageType: String) -> [ElementName] {
        partsAfterSignature(of: MessageCatalog.spec(number: messageType))
    }

    /// The root children a signature must precede in messages of `spec`, for ``XMLSignature/DocumentSigner``'s
    /// `before:` (none for an unknown message: the signature then goes last).
    public static func partsAfterSignature(of spec: MessageSpec?) -> [ElementName] {
        (spec?.partsAfterSignature ?? []).map { ElementName(namespace: EnvelopeSpecs.cebNamespace, localName: $0.rawValue) }
    }

    /// `ceb:ExtendMessage`, the only part the official schemas put after a signature (export messages).
    public static let extendMessage = ElementName(namespace: EnvelopeSpecs.cebNamespace, localName: EnvelopePart.extendMessage.rawValue)
}
