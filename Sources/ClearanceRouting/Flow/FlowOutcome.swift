import ClearanceRules

/// What the flow did with one message.
public struct FlowOutcome: Sendable, Hashable {
    /// What happened.
    public enum Status: Sendable, Hashable {
        /// Stored and queued to these destinations.
        case routed([String])
        /// Stored; the inventory waits for these documents.
        case awaiting([String])
        /// Stored but refused by cross-message rules (not forwarded).
        case refused
        /// Schema/customs errors: not stored, not forwarded.
        case invalid
        /// Already processed (same guid): nothing changed.
        case duplicate
        /// Stored, but no routing rule matched.
        case unrouted
        /// Stored and held for an operator's review: a party is dishonest on the credit list
        /// (the `CRD001` reasons are in ``FlowOutcome/issues``).
        case held

        /// The verdict's name in answers and logs (`routed`, `awaiting`, …).
        public var name: String {
            switch self {
            case .routed: "routed"
            case .awaiting: "awaiting"
            case .refused: "refused"
            case .invalid: "invalid"
            case .duplicate: "duplicate"
            case .unrouted: "unrouted"
            case .held: "held"
            }
        }

        /// Whether the message is stored (all but an invalid one).
        public var stored: Bool { self != .invalid }
    }

    /// Envelope guid.
    public var guid: String
    /// Message type.
    public var messageType: String
    public var status: Status
    /// Rules that decided the routing.
    public var rules: [String]
    /// Field-level reasons (cross-message issues, or schema issues rendered as text).
    public var issues: [CrossMessageIssue]
    /// Inventories released from "awaiting documents" by this message (their envelope guids).
    public var released: [String]
    /// For a batch, how many of its documents got each verdict (nil for a single message).
    public var verdicts: BatchVerdicts? = nil

    /// One line for people: what happened, which rules decided, what it released.
    public var summary: String {
        var text: String
        switch status {
        case .routed(let to): text = "routed → \(to.joined(separator: ", "))"
        case .awaiting(let missing): text = "awaiting documents: \(missing.joined(separator: ", "))"
        case .refused: text = "refused"
        case .invalid: text = "invalid"
        case .duplicate: text = "duplicate (already processed)"
        case .unrouted: text = "stored, no routing rule matched"
        case .held: text = "held for review: " + issues.map(\.description).joined(separator: "; ")
        }
        if !rules.isEmpty { text += " [rules: \(rules.joined(separator: ", "))]" }
        if !released.isEmpty { text += " (released inventory \(released.joined(separator: ", ")))" }
        if let verdicts { text += " (documents: \(verdicts))" }
        return text
    }
}
