import ClearanceIngest
import ClearanceStore

/// What an answer of the inspection authority (`InspReturn`) or of the payment / foreign-exchange
/// regulator (`PayExReturn`) says, read from its `returnStatus`.
///
/// The real code lists are unconfirmed (see `schemas/README.md`); Clearance reads them as the
/// customs list: 1–4 and 2xx pending, 120 accepted, 5xx held (inspection, detention), 800 released,
/// 100 / 700 or a negative code rejected.
public enum AuthorityAnswer: String, Sendable, Hashable, CaseIterable {
    /// Received, not decided (1–4, other codes).
    case pending
    /// 120 (and 399): accepted; for payment data, verified.
    case accepted
    /// 5xx: held for inspection or detained.
    case hold
    /// 800 / 899: released by the authority.
    case released
    /// 100, 700 or a negative code: rejected, the reason in `returnInfo`.
    case rejected

    /// Reads a `returnStatus`.
    public init(status: String) {
        switch status {
        case "120", "399": self = .accepted
        case "800", "899": self = .released
        case "100", "700": self = .rejected
        default:
            if status.hasPrefix("-") { self = .rejected }
            else if status.count == 3, status.hasPrefix("5") { self = .hold }
            else { self = .pending }
        }
    }

    /// The timeline event an answer of `authority` with this outcome adds (beside the store's
    /// `receipt` event), or nil when it adds none: `inspection-hold`, `inspection-released`,
    /// `inspection-rejected`; `payment-verified`, `payment-hold`, `payment-rejected`.
    public func eventKind(for authority: DeclarationKind) -> EventKind? {
        switch (authority, self) {
        case (.inspection, .hold): EventKind.inspectionHold
        case (.inspection, .released): EventKind.inspectionReleased
        case (.inspection, .rejected): EventKind.inspectionRejected
        case (.paymentForex, .accepted), (.paymentForex, .released): EventKind.paymentVerified
        case (.paymentForex, .hold): EventKind.paymentHold
        case (.paymentForex, .rejected): EventKind.paymentRejected
        default: nil
        }
    }
}
