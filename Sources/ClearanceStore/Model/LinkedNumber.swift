/// The number a match links a shipment's document by: an inventory names its order and payment by
/// `orderNo` and its waybill by `logisticsNo`, import and export alike. `linked_numbers` holds each
/// stored document's (migration 82, whose frozen SQL spells the same kinds out), and the flow waits
/// for documents being stored by it (`DocumentsInFlight`).
public enum LinkedNumber: Sendable, Hashable {
    case orderNo, logisticsNo

    /// The number documents of `kind` are linked by; nil for the kinds no match links.
    public init?(_ kind: DeclarationKind) {
        switch kind {
        case .order, .payment, .exportOrder, .exportPayment: self = .orderNo
        case .logistics, .exportLogistics: self = .logisticsNo
        default: return nil
        }
    }

    /// `declaration`'s number of this kind.
    public func value(in declaration: DeclarationRecord) -> String? {
        switch self {
        case .orderNo: declaration.orderNo
        case .logisticsNo: declaration.logisticsNo
        }
    }
}
