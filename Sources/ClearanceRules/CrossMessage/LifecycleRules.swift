import CEBModel

/// Where a declaration stands in its life cycle, from the statuses Clearance stores.
public enum DeclarationPhase: String, Sendable, Hashable, CaseIterable {
    /// Nothing stored under this business key.
    case none
    /// Stored; waiting for its order, payment or waybill.
    case awaitingDocuments = "awaiting documents"
    /// Refused by a cross-message rule before it left Clearance.
    case refused
    /// Routed to customs; no receipt yet (or only e-port statuses 1–4).
    case declared
    /// 120: accepted into the customs database.
    case accepted
    /// 300 / 399: under review or decided.
    case underReview = "under review"
    /// 500–599: inspection or detention.
    case inspection
    /// 800: released.
    case released
    /// 899: cleared.
    case cleared
    /// 100 / 700 or negative codes: returned by customs.
    case returned
    /// Deleted by an appType 3 message.
    case deleted

    /// The phase a stored status string stands for (`"received"`, `"awaiting documents"`, a
    /// receipt's `returnStatus`…).
    public init(status: String) {
        switch status {
        case "", "none": self = .none
        case "awaiting documents": self = .awaitingDocuments
        case "refused", "rejected": self = .refused
        case "received", "declared", "routed", "1", "2", "3", "4": self = .declared
        case "120": self = .accepted
        case "300", "399": self = .underReview
        // An export inventory goes on after release (arrival, departure) and after clearance (the
        // summary declaration): for its life cycle those are still released / cleared.
        case "800", "arrived", "departed": self = .released
        case "899", "summarising", "summarized": self = .cleared
        case "100", "700": self = .returned
        case "deleted": self = .deleted
        default:
            if status.hasPrefix("5"), status.count == 3 { self = .inspection }
            else if status.hasPrefix("-") { self = .returned }
            else { self = .declared }
        }
    }

    /// Whether customs has released the goods (modify and delete are refused from here on).
    public var isReleased: Bool { self == .released || self == .cleared }
}

/// What the life-cycle rules decided for an incoming declaration.
public enum LifecycleDecision: Sendable, Hashable {
    /// Process it.
    case accept
    /// The same document was already processed: answer as before, change nothing.
    case duplicate
    /// Refused, with the reason.
    case refuse(CrossMessageIssue)
}

/// Which `appType` (1 new, 2 modify, 3 delete) is allowed in which phase.
///
/// Codes: `LIF001` new for a declaration that exists (and was not returned or deleted);
/// `LIF002` modify or delete of a declaration that does not exist; `LIF003` modify after
/// release; `LIF004` delete after release (use an inventory cancel, CEB623); `LIF005` modify or
/// delete while customs is inspecting; `LIF006` unknown appType.
public enum LifecycleRules {
    /// Decides for a declaration with `appType` whose business key is in `phase`.
    /// - Parameter sameDocument: the stored declaration has the same head guid (a resend).
    public static func decide(appType: String, phase: DeclarationPhase, sameDocument: Bool) -> LifecycleDecision {
        if sameDocument, phase != .none { return .duplicate }
        switch appType {
        case "1", "":
            switch phase {
            case .none, .returned, .deleted, .refused: return .accept
            default:
                return .refuse(CrossMessageIssue(
                    code: "LIF001", field: "appType", expected: "2 (modify)", actual: "1",
                    message: "a declaration with this number already exists (\(phase.rawValue)); send a modify instead"))
            }
        case "2", "3":
            let verb = appType == "2" ? "modify" : "delete"
            switch phase {
            case .none:
                return .refuse(CrossMessageIssue(
                    code: "LIF002", field: "appType", expected: "1 (new)", actual: appType,
                    message: "\(verb) of a declaration that was never declared"))
            case .released, .cleared:
                return .refuse(CrossMessageIssue(
                    code: appType == "2" ? "LIF003" : "LIF004", field: "appType", actual: appType,
                    message: appType == "2"
                        ? "a declaration cannot be modified after customs released it"
                        : "a released declaration cannot be deleted; send an inventory cancel (CEB623)"))
            case .inspection:
                return .refuse(CrossMessageIssue(
                    code: "LIF005", field: "appType", actual: appType,
                    message: "\(verb) refused while customs is inspecting the goods"))
            case .deleted:
                return .refuse(CrossMessageIssue(
                    code: "LIF002", field: "appType", actual: appType, message: "\(verb) of a deleted declaration"))
            default:
                return .accept
            }
        default:
            return .refuse(CrossMessageIssue(
                code: "LIF006", field: "appType", expected: "1, 2 or 3", actual: appType, message: "unknown appType"))
        }
    }
}
