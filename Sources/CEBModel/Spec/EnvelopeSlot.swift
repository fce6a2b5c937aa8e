/// One envelope part of a message and how often the official schema allows it.
public struct EnvelopeSlot: Sendable, Equatable {
    /// The part.
    public let part: EnvelopePart
    /// Fewest occurrences (1: required; `ds:Signature` of CEB621/623/625/711).
    public let minOccurs: Int
    /// Most occurrences; nil when unbounded.
    public let maxOccurs: Int?

    /// Creates a slot.
    public init(_ part: EnvelopePart, minOccurs: Int, maxOccurs: Int?) {
        self.part = part
        self.minOccurs = minOccurs
        self.maxOccurs = maxOccurs
    }
}
