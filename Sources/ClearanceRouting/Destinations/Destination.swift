/// One message ready for the wire: signed and wrapped for its destination.
public struct OutboundMessage: Sendable, Hashable {
    /// The CEB message's envelope guid (receivers dedupe by it).
    public var guid: String
    /// e.g. `CEB621`.
    public var messageType: String
    /// Exactly what is sent.
    public var bytes: [UInt8]
    /// The outbox row being delivered (the same on every retry), when there is one.
    public var deliveryId: String?

    /// Creates an outbound message.
    public init(guid: String, messageType: String, bytes: [UInt8], deliveryId: String? = nil) {
        self.guid = guid
        self.messageType = messageType
        self.bytes = bytes
        self.deliveryId = deliveryId
    }

    /// The file name spool clients use: `CEB621_<guid>.xml`.
    public var fileName: String { "\(messageType)_\(guid).xml" }
}

/// Why a delivery failed, and whether trying again can help.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public var message: String
    /// `true` when retrying cannot succeed (the receiver refused the message itself).
    public var isPermanent: Bool
    /// A stable code when Clearance itself refused to send (`OUT001`…, see ``OutboundGate``); it also
    /// starts `message`, which is what the outbox keeps.
    public var code: String?

    /// Creates an error.
    public init(_ message: String, permanent: Bool = false, code: String? = nil) {
        self.message = message
        self.isPermanent = permanent
        self.code = code
    }

    public var description: String { message }
}

/// Somewhere messages are delivered to.
public protocol Destination: Sendable {
    /// The configuration it was built from.
    var config: DestinationConfig { get }
    /// Delivers one message; returns when the receiver has it durably.
    func deliver(_ message: OutboundMessage) async throws(DeliveryError)
    /// Releases connections.
    func shutdown() async
}
