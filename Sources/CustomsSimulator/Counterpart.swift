/// Which authority the simulator plays for one submission: customs (CEB receipts), the inspection
/// and quarantine authority (`InspReturn` answers) or the payment / foreign-exchange regulator
/// (`PayExReturn` answers).
public enum Counterpart: String, Sendable, Hashable, CaseIterable {
    /// Customs: CEB312/412/512/622 receipts in the customs status sequence.
    case customs
    /// The inspection and quarantine (检验检疫) authority.
    case inspection
    /// The payment / foreign-exchange regulator.
    case payment

    /// The counterpart behind a routing destination, by the names the default routing table uses:
    /// a name containing `inspection` → ``inspection``; `payment` or `forex` → ``payment``;
    /// anything else → ``customs``.
    public init(destinationName name: String) {
        let lower = name.lowercased()
        if lower.contains("inspection") { self = .inspection }
        else if lower.contains("payment") || lower.contains("forex") { self = .payment }
        else { self = .customs }
    }
}
