/// Why a message too large for customs could not be planned as parts (it then stays one outbox row,
/// which the ``OutboundGate`` dead-letters with `OUT003` and this reason on the timeline).
public struct MessageSplitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for the timeline and logs.
    public var reason: String

    init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
