extension DeclarationKind {
    /// `forKind` of customs' electronic tax bill (CEB816): linked to the import inventory it taxes
    /// (by `invtNo`, which customs gave the inventory in its CEB622 receipt), never setting its status.
    public static let taxBill = DeclarationKind(rawValue: "tax-bill")
    /// `forKind` of customs' tax bill status (CEB818): linked like the bill itself.
    public static let taxBillStatus = DeclarationKind(rawValue: "tax-bill-status")

    /// Whether receipts of this kind are customs' tax bills or their status: they quote their own
    /// guid and the inventory's `invtNo`, and annotate the inventory rather than move it.
    public var isTaxBill: Bool { self == .taxBill || self == .taxBillStatus }
}

extension EventKind {
    /// A tax bill arrived for the inventory: customs' duty, VAT and consumption tax, compared with
    /// the tax the inventory declared (code `TAX001` when they differ).
    public static let taxBill = EventKind(rawValue: "tax-bill")
    /// The tax bill's status changed (CEB818, or a CEB816 carrying a new status).
    public static let taxBillStatus = EventKind(rawValue: "tax-bill-status")
}
