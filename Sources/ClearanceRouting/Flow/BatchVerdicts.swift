/// How many documents of a batch got each verdict when it was forwarded (``BatchForwarder``).
public struct BatchVerdicts: Sendable, Hashable, CustomStringConvertible {
    /// Queued for their destinations (or held or unrouted with the batch's routing).
    public var routed: Int
    /// Inventories waiting for their order, payment or waybill.
    public var awaiting: Int
    /// Refused by the cross-message rules.
    public var refused: Int
    /// Not stored for schema or customs-rule errors.
    public var invalid: Int

    public var description: String {
        "\(routed) routed, \(awaiting) awaiting, \(refused) refused, \(invalid) invalid"
    }
}
