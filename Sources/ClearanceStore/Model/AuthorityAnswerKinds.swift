extension DeclarationKind {
    /// `forKind` of the inspection and quarantine authority's answers (`InspReturn`): linked to the
    /// inventory (or order) that carried the inspection declaration, never setting its status.
    public static let inspection = DeclarationKind(rawValue: "inspection")
    /// `forKind` of the payment / foreign-exchange regulator's answers (`PayExReturn`): linked to the
    /// payment (CEB411) or export receipt of payment (CEB403), never setting its status.
    public static let paymentForex = DeclarationKind(rawValue: "payment-forex")

    /// Whether receipts of this kind are an authority's answers (inspection, payment/FX) rather
    /// than customs receipts answering a declaration of this kind.
    public var isAuthorityAnswer: Bool { self == .inspection || self == .paymentForex }
}
