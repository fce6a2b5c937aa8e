/// The authorities that answer Clearance's messages. An account of role
/// ``EnterpriseRole/authority`` speaks for one of them, and a routing destination names the one
/// behind it: a receipt is believed only when it comes from the authority a declaration was
/// actually sent to, signed with that authority's registered certificate.
public enum AuthorityKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A customs district through the single window: CEB receipts (CEB312/412/512/622/…, CEB900).
    case customs
    /// Inspection and quarantine: `InspReturn` answers.
    case inspection
    /// The payment / foreign-exchange regulator: `PayExReturn` answers.
    case paymentForex = "payment-fx"
    /// The Fuzhou–Pingtan cross-strait channel: it relays customs receipts for what it carried.
    case crossStrait = "cross-strait"

    /// Whether this authority may send a receipt that answers for `kind` (a customs receipt names
    /// the declaration kind it answers; an authority's answer names the authority).
    public func mayAnswer(_ kind: DeclarationKind) -> Bool {
        switch self {
        case .customs, .crossStrait: !kind.isAuthorityAnswer
        case .inspection: kind == .inspection
        case .paymentForex: kind == .paymentForex
        }
    }
}
