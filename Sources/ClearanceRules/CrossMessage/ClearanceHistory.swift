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
    /// (the newest accepted revision of each), whatever their platform/logistics codes — the
    /// match reports code disagreements field by field.
    func linkedDocuments(for inventory: InventoryHead) async throws(ClearanceHistoryError) -> LinkedDocuments

    /// The dutiable value of the buyer's inventories released or cleared in calendar `year`,
    /// excluding the inventory with head guid `excludingDeclarationGuid`.
    func clearedTotal(
        buyerIdType: String, buyerIdNumber: String, year: Int, excludingDeclarationGuid: String?
    ) async throws(ClearanceHistoryError) -> CEBDecimal

    /// The phase of the stored declaration of `kind` (store kind names: `order`, `payment`,
    /// `logistics`, `inventory`) with this business number, and its head guid.
    func declarationPhase(kind: String, businessKey: String) async throws(ClearanceHistoryError) -> (phase: DeclarationPhase, declarationGuid: String?)
}
