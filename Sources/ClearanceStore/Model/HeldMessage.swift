import Foundation

/// A message whose declarations wait for an operator's review (a dishonest party on the credit
/// list, or waiting inventories whose stored message could not be read back: `REL001`): what ops
/// see on the holds page and in `GET /v1/holds` (encoded as it is).
public struct HeldMessage: Sendable, Hashable, Encodable {
    public var guid: String
    public var messageType: String
    public var senderCode: String
    /// Declarations of the message on hold.
    public var declarations: Int
    /// When the hold was decided (its first `credit-hold` or `release-failed` event).
    public var heldAt: Date?
    /// The hold reasons (`CRD001 …`, one per dishonest party; `REL001 …`).
    public var reasons: [String]

    public init(guid: String, messageType: String, senderCode: String, declarations: Int, heldAt: Date?, reasons: [String]) {
        self.guid = guid
        self.messageType = messageType
        self.senderCode = senderCode
        self.declarations = declarations
        self.heldAt = heldAt
        self.reasons = reasons
    }
}
