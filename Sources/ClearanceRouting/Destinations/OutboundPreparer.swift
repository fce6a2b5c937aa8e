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

    /// The wire bytes of `raw` for `destination`.
    public func prepare(raw: [UInt8], guid: String, messageType: String, for destination: DestinationConfig) throws(DeliveryError) -> OutboundMessage {
        var bytes = raw
        if let signer = signers[destination.profile] {
            do {
                bytes = try signer.sign(bytes: raw)
            } catch {
                if case .alreadySigned = error.reason {
                    bytes = raw
                } else {
                    throw DeliveryError("cannot sign \(guid) for \(destination.name) (\(destination.profile)): \(error)", permanent: true)
                }
            }
        } else if !signers.isEmpty {
            throw DeliveryError("no signer for profile \(destination.profile) with this key type (destination \(destination.name))", permanent: true)
        }
        let message = OutboundMessage(guid: guid, messageType: messageType, bytes: bytes)
        guard destination.envelope == .dxp else { return message }
        let wrapped = TransportEnvelope.wrap(
            message: bytes, copMsgId: guid, senderId: senderId, receiverId: destination.receiverId ?? "",
            messageType: messageType, fileName: message.fileName)
        return OutboundMessage(guid: guid, messageType: messageType, bytes: wrapped)
    }
}
