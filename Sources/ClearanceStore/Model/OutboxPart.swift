/// One part of a message that goes to a destination as several messages (customs takes at most
/// `CustomsLimits.maxDocuments` documents per message): which part, of how many, and how to build
/// it from the stored raw message.
///
/// The store keeps the plan as opaque text; the flow writes it when it routes the message and the
/// delivery worker reads it back (`ClearanceRouting`'s `MessagePartPlan`). Each part is its own
/// outbox row, unique per (message, destination, part number), so it is retried, dead-lettered,
/// replayed and acknowledged on its own.
public struct OutboxPart: Sendable, Hashable {
    /// 1-based part number.
    public var number: Int
    /// How many parts the message was split into.
    public var count: Int
    /// How to assemble the part from the stored message's raw pieces.
    public var plan: String

    /// Creates a part.
    public init(number: Int, count: Int, plan: String) {
        self.number = number
        self.count = count
        self.plan = plan
    }
}
