import Foundation

/// One payment receipt (收款单, CEB403) of an export order as stored: what the e-commerce
/// enterprise received for it, in which currency, and where customs' answer left it.
public struct ExportPaymentStanding: Sendable, Hashable {
    public var declarationId: Int64
    public var orderNo: String
    /// The payment company's transaction number (`payNo`).
    public var payNo: String?
    /// The payment company (`payCode`).
    public var payCode: String?
    /// The amount received (`charge`).
    public var charge: FixedDecimal?
    public var currency: String?
    /// `appTime` of the receipt.
    public var appTime: Date?
    public var status: DeclarationStatus

    public init(declarationId: Int64, orderNo: String, payNo: String?, payCode: String?, charge: FixedDecimal?, currency: String?,
                appTime: Date?, status: DeclarationStatus) {
        self.declarationId = declarationId
        self.orderNo = orderNo
        self.payNo = payNo
        self.payCode = payCode
        self.charge = charge
        self.currency = currency
        self.appTime = appTime
        self.status = status
    }
}

/// The store side of foreign-exchange settlement (收汇): the payment receipts an export
/// enterprise's orders were paid with. The exports they are set against are its export inventories
/// (``ExportSummaryStore/exportInventories(ebcCode:)``).
public protocol ExportPaymentStore: Sendable {
    /// Every payment receipt (CEB403) naming the e-commerce enterprise `ebcCode`, oldest first.
    func exportPayments(ebcCode: String) async throws(StoreError) -> [ExportPaymentStanding]
}
