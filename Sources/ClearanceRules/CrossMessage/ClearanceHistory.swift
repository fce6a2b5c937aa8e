import CEBModel

/// A failure reading the history the cross-message rules need.
public struct ClearanceHistoryError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String
    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "history unavailable: \(reason)" }
}

/// What the cross-message rules need to know about earlier messages, implemented by the store.
public protocol ClearanceHistory: Sendable {
    /// The order and payment with the inventory's orderNo and the waybill with its logisticsNo
    /// (the newest accepted revision of each), **among the documents of the parties the inventory
    /// declares**: the order of its platform and e-commerce enterprise, the payment of its
    /// platform, the waybill of its logistics company. Another enterprise's document quoting the
    /// same number is invisible here: the inventory waits for its own.
    func linkedDocuments(for inventory: InventoryHead) async throws(ClearanceHistoryError) -> LinkedDocuments

    /// ``linkedDocuments(for:)`` of several inventories, in their order: a store answers them
    /// together (one look-up per kind for all, as a batch's inventories are checked a megabyte at a time).
    func linkedDocuments(for inventories: [InventoryHead]) async throws(ClearanceHistoryError) -> [LinkedDocuments]

    /// The export order and receipt of payment with the export inventory's orderNo and the export
    /// waybill with its logisticsNo (the newest usable revision of each), sent by the inventory's
    /// parties or its agent; found by number, so a code that disagrees shows in the match.
    func linkedExportDocuments(for inventory: ExportInventoryHead) async throws(ClearanceHistoryError) -> LinkedExportDocuments

    /// The buyer's dutiable value in calendar `year` (China time): released or cleared, and
    /// declared but not yet answered; excluding the inventory with head guid `excludingDeclarationGuid`.
    func annualTotal(
        buyerIdType: String, buyerIdNumber: String, year: Int, excludingDeclarationGuid: String?
    ) async throws(ClearanceHistoryError) -> BuyerAnnualTotal

    /// The phase of the stored declaration of `kind` (store kind names: `order`, `payment`,
    /// `logistics`, `inventory`) with this business number **sent by `senderCode`**, and its head
    /// guid: a declaration's identity is its sender's, so another enterprise cannot squat a number.
    func declarationPhase(kind: String, businessKey: String, senderCode: String) async throws(ClearanceHistoryError) -> (phase: DeclarationPhase, declarationGuid: String?)
}

extension ClearanceHistory {
    /// One look-up per inventory, for histories that have nothing better.
    public func linkedDocuments(for inventories: [InventoryHead]) async throws(ClearanceHistoryError) -> [LinkedDocuments] {
        var found: [LinkedDocuments] = []
        for inventory in inventories { found.append(try await linkedDocuments(for: inventory)) }
        return found
    }
}
