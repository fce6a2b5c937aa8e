/// Where a declaration stands: Clearance's own states before customs answers, then the customs
/// `returnStatus` codes its receipts set (an open set: customs may add codes, stored as given).
///
/// Read a status's place in the customs order with ``CustomsProgress``.
public struct DeclarationStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // MARK: Clearance's own

    /// Stored by ingest, not yet through the flow (a batch before forwarding).
    public static let received = DeclarationStatus("received")
    /// Routed: queued for its destinations.
    public static let declared = DeclarationStatus("declared")
    /// A retail-import inventory waiting for its order, payment or waybill.
    public static let awaitingDocuments = DeclarationStatus("awaiting documents")
    /// Held for an operator's review: a party is dishonest on the credit list (`CRD001`). Ops
    /// release it (routed as the flow would have) or refuse it; nothing is sent meanwhile.
    public static let held = DeclarationStatus("held for review")
    /// Refused before leaving Clearance (cross-message rules, signature).
    public static let refused = DeclarationStatus("refused")
    /// No routing rule matched.
    public static let unrouted = DeclarationStatus("unrouted")
    /// Deleted by its sender (appType 3).
    public static let deleted = DeclarationStatus("deleted")
    /// An inventory whose cancellation (CEB623) customs approved.
    public static let cancelled = DeclarationStatus("cancelled")
    /// An inventory whose return (CEB625) customs approved.
    public static let refunded = DeclarationStatus("refunded")
    /// An export inventory whose goods come back (CEB213 export return accepted by customs, CEB214).
    public static let exportReturned = DeclarationStatus("returned")

    // MARK: Export clearance after release (清单核放, 汇总申报)

    /// An export inventory whose parcel customs recorded at the supervised place (an accepted
    /// CEB507 arrival notice listing its logisticsNo, answered by CEB508).
    public static let arrived = DeclarationStatus("arrived")
    /// An export inventory whose parcel left the country (an accepted CEB509 departure notice,
    /// answered by CEB510). Customs then clears it (899, 结关).
    public static let departed = DeclarationStatus("departed")
    /// A cleared export inventory put in a summary application (CEB701) not yet answered with a
    /// declaration number.
    public static let summarising = DeclarationStatus("summarising")
    /// A cleared export inventory customs summarised into an export declaration (CEB792 with its
    /// `entryId`).
    public static let summarized = DeclarationStatus("summarized")

    // MARK: Customs codes (returnStatus)

    /// 100: returned by customs, the reason in `returnInfo`.
    public static let returned = DeclarationStatus("100")
    /// 120: accepted into the customs database.
    public static let accepted = DeclarationStatus("120")
    /// 800: released.
    public static let released = DeclarationStatus("800")
    /// 899: cleared.
    public static let cleared = DeclarationStatus("899")
}
