/// A step of a parcel's clearance as the buyer's page shows it, in order. Each has a catalogue
/// text `step<RawValue>` in `Resources/i18n`.
enum BuyerStep: String, CaseIterable, Sendable {
    /// The platform's order (CEB311) arrived.
    case orderReceived
    /// The payment (CEB411) arrived.
    case paymentReceived
    /// The waybill (CEB511) arrived.
    case waybillReceived
    /// The inventory was sent to customs (routed).
    case declared
    /// Customs inspects the goods (receipt 500–599 or an inspection hold).
    case inspection
    /// Customs released the goods (receipt 800).
    case released
    /// Tax is charged: customs' tax bill (CEB816), else the release (the amount: the inventory's or else
    /// the order's `taxTotal`).
    case tax
    /// Cleared (receipt 899): the parcel leaves the bonded area for the courier.
    case delivery
}
