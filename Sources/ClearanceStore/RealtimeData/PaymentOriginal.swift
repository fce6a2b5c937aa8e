import Foundation

/// What a platform deposits per payment for customs' real-time payment data requests (announcement
/// 2018 No. 179): the raw request it sent to the payment provider and the raw response it got back,
/// which platforms must keep, plus the payee and goods-link details customs asks for that no CEB
/// message carries.
///
/// The originals may hold card or ID numbers: every view shows them through
/// ``PaymentOriginalMasker`` (``masked``); only the answer posted to customs carries them whole.
/// Encodable as the API shows it (`PaymentOriginal` in openapi.yaml; encode ``masked``, never this).
public struct PaymentOriginal: Sendable, Hashable, Encodable {
    /// The payment's transaction id (CEB411 `payTransactionId`).
    public var payTransactionId: String
    /// The order the payment paid (CEB411 `orderNo`).
    public var orderNo: String
    /// Who deposited it (the platform's code, or an ops account).
    public var enterpriseCode: String
    /// The raw request to the payment provider.
    public var initalRequest: String
    /// The raw response from the payment provider.
    public var initalResponse: String
    /// 1 UnionPay, 2 NetsUnion, 3 other; nil: 3.
    public var verDept: String?
    /// 1 app, 2 PC, 3 QR scan, 4 other; nil: 4.
    public var payType: String?
    /// The payee's account, code and name.
    public var recpAccount: String?
    public var recpCode: String?
    public var recpName: String?
    /// Product page URLs by order line number (`gnum`).
    public var itemLinks: [Int: String]
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case payTransactionId, orderNo, enterpriseCode = "depositedBy", initalRequest, initalResponse, verDept, payType
        case recpAccount, recpCode, recpName, itemLinks, createdAt, updatedAt
    }

    /// Creates a deposit.
    public init(
        payTransactionId: String, orderNo: String, enterpriseCode: String, initalRequest: String, initalResponse: String,
        verDept: String? = nil, payType: String? = nil, recpAccount: String? = nil, recpCode: String? = nil, recpName: String? = nil,
        itemLinks: [Int: String] = [:], createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.payTransactionId = payTransactionId
        self.orderNo = orderNo
        self.enterpriseCode = enterpriseCode
        self.initalRequest = initalRequest
        self.initalResponse = initalResponse
        self.verDept = verDept
        self.payType = payType
        self.recpAccount = recpAccount
        self.recpCode = recpCode
        self.recpName = recpName
        self.itemLinks = itemLinks
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// This deposit with the originals (and the payee's account) masked by ``PaymentOriginalMasker``
    /// (ID, telephone and card numbers): the form for every view.
    public var masked: PaymentOriginal {
        var copy = self
        copy.initalRequest = PaymentOriginalMasker.mask(initalRequest)
        copy.initalResponse = PaymentOriginalMasker.mask(initalResponse)
        copy.recpAccount = recpAccount.map(PaymentOriginalMasker.mask)
        return copy
    }
}
