import Foundation

/// Which way a message travelled.
public enum MessageDirection: String, Sendable, Hashable, Codable, CaseIterable {
    /// Received from an enterprise or from customs.
    case inbound
    /// Produced or forwarded by Clearance.
    case outbound
}

/// One CEB document exactly as received or sent: the raw bytes plus the envelope facts.
///
/// Identity is ``guid`` (the envelope's `guid` attribute): storing the same guid twice keeps
/// one row. A second copy with different bytes is reported as ``MessageOutcome/Status/guidConflict``.
public struct MessageRecord: Sendable, Hashable {
    /// Envelope guid (36 characters by the standard; stored as given).
    public var guid: String
    /// Message type, e.g. `"CEB621"`.
    public var messageType: String
    /// Sending enterprise code (`BaseTransfer/copCode`), or the customs code for receipts.
    public var senderCode: String
    /// Inbound or outbound.
    public var direction: MessageDirection
    /// When Clearance received (or produced) the message.
    public var receivedAt: Date
    /// Lower-case hex SHA-256 of ``rawBytes``.
    public var sha256: String
    /// The document exactly as received.
    public var rawBytes: [UInt8]
    /// Signature check result, e.g. `"valid"`, `"invalid"`, `"unsigned"`, `"weak-rsa-sha1"`.
    public var signatureVerdict: String

    /// Creates a record. Pass `sha256: nil` to have it computed from `rawBytes`.
    public init(
        guid: String, messageType: String, senderCode: String, direction: MessageDirection,
        receivedAt: Date, sha256: String? = nil, rawBytes: [UInt8], signatureVerdict: String
    ) {
        self.guid = guid
        self.messageType = messageType
        self.senderCode = senderCode
        self.direction = direction
        self.receivedAt = receivedAt
        self.sha256 = sha256 ?? SHA256Digest.hex(of: rawBytes)
        self.rawBytes = rawBytes
        self.signatureVerdict = signatureVerdict
    }
}
