/// `payExchangeInfoHead` of the real-time payment data answer (customs announcement 2018 No. 179):
/// one payment, with the platform's original request to and response from the payment provider.
///
/// Field names are customs' own, spelling included (`initalRequest`, `initalResponse`).
public struct PaymentExchangeHead: Sendable, Hashable {
    /// A fresh identifier of this answer (upper-case UUID, as CEB guids).
    public var guid: String
    /// The raw request the platform sent to the payment provider, as kept.
    public var initalRequest: String
    /// The raw response the payment provider returned, as kept.
    public var initalResponse: String
    /// The platform's customs code (`ebpCode` of the order).
    public var ebpCode: String
    /// The payment company's customs code (CEB411 `payCode`).
    public var payCode: String
    /// The payment's transaction id (CEB411 `payTransactionId`).
    public var payTransactionId: String
    /// The amount paid (CEB411 `amountPaid`), written as a JSON number.
    public var totalAmount: String
    /// Currency code (CEB411 `currency`, e.g. `142`).
    public var currency: String
    /// Who verified the payment: 1 UnionPay, 2 NetsUnion, 3 other.
    public var verDept: String
    /// How it was paid: 1 app, 2 PC, 3 QR scan, 4 other.
    public var payType: String
    /// When it was paid, `yyyyMMddHHmmss` (CEB411 `payTime`).
    public var tradingTime: String
    /// Free text; empty when none.
    public var note: String

    /// Creates a head.
    public init(
        guid: String, initalRequest: String, initalResponse: String, ebpCode: String, payCode: String, payTransactionId: String,
        totalAmount: String, currency: String, verDept: String, payType: String, tradingTime: String, note: String = ""
    ) {
        self.guid = guid
        self.initalRequest = initalRequest
        self.initalResponse = initalResponse
        self.ebpCode = ebpCode
        self.payCode = payCode
        self.payTransactionId = payTransactionId
        self.totalAmount = totalAmount
        self.currency = currency
        self.verDept = verDept
        self.payType = payType
        self.tradingTime = tradingTime
        self.note = note
    }

    /// The JSON object, keys in the documented order.
    public var json: OrderedJSON.Value {
        .object([
            ("guid", .string(guid)), ("initalRequest", .string(initalRequest)), ("initalResponse", .string(initalResponse)),
            ("ebpCode", .string(ebpCode)), ("payCode", .string(payCode)), ("payTransactionId", .string(payTransactionId)),
            ("totalAmount", .number(totalAmount)), ("currency", .string(currency)), ("verDept", .string(verDept)),
            ("payType", .string(payType)), ("tradingTime", .string(tradingTime)), ("note", .string(note)),
        ])
    }
}
