import ClearanceRules
import ClearanceStore

/// What the intake did with one message. The faces map it: the HTTP service to a status code and
/// a JSON body, the CLI to a line and an exit code.
public enum IntakeVerdict: Sendable {
    /// Not a readable CEB message (or envelope); nothing stored.
    case unreadable(String)
    /// The sender may not send this (another enterprise's copCode `AUTH001`, a declaration from an
    /// authority `AUTH002`, a receipt from anyone but an authority `RCP001`); nothing stored, and
    /// the rightful sender may still send the same guid.
    case forbidden(CrossMessageIssue)
    /// The signature is missing or does not verify with the sender's registered certificate
    /// (`SIG001`–`SIG003`), or a receipt says what its authority may not (`RCP002`, `RCP003`);
    /// nothing stored.
    case refused(CrossMessageIssue)
    /// A receipt, stored and matched (or kept unmatched).
    case receipt(ReceiptResult)
    /// A declaration message taken by the clearance flow (routed, awaiting, refused by the
    /// cross-message rules, invalid, unrouted or a duplicate).
    case flow(FlowOutcome)
}

/// One message through the intake: its identity, the signature verdict stored with it, and the verdict.
public struct IntakeResult: Sendable {
    /// Envelope guid ("" when unreadable).
    public var guid: String
    /// Message type, e.g. `CEB311` ("" when unreadable).
    public var messageType: String
    /// What the signature gate found.
    public var signature: SignatureVerdict
    public var verdict: IntakeVerdict
    /// The decoded message, for callers that act on it afterwards (webhooks, metrics); nil when unreadable.
    public var message: DecodedMessage?
}
