import ClearanceStore

/// Why an operator's release or refusal did not happen. Codes are stable: `CRD003` the message
/// is not on hold (never was, or another operator decided first), `CRD004` no such message.
public enum HoldReviewError: Error, Sendable, CustomStringConvertible {
    case notHeld(String)
    case noSuchMessage(String)
    case flow(FlowError)

    public var code: String {
        switch self {
        case .notHeld: "CRD003"
        case .noSuchMessage: "CRD004"
        case .flow: "CRD005"
        }
    }

    public var description: String {
        switch self {
        case .notHeld(let guid): "CRD003 message \(guid) is not held for review"
        case .noSuchMessage(let guid): "CRD004 no message \(guid)"
        case .flow(let error): "CRD005 \(error)"
        }
    }
}
