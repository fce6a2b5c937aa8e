import Foundation

/// A message whose declarations wait for an operator's review (a dishonest party on the credit
/// list): what ops see on the holds page and in `GET /v1/holds`.
public struct HeldMessage: Sendable, Hashable {
    public var guid: String
    public var messageType: String
    public var senderCode: String
    /// Declarations of the message on hold.
    public var declarations: Int
    /// When the hold was decided (its first `credit-hold` event).
    public var heldAt: Date?
    /// The hold reasons (`CRD001 …`), one per dishonest party.
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
