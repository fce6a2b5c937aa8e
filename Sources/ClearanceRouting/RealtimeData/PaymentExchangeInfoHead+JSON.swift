import CEBModel

/// `payExchangeInfoHead` of the real-time payment data answer (customs announcement 2018 No. 179) is
/// CEBModel's PAYEX head: one payment, with the platform's original request to and response from the
/// payment provider (customs' own spelling: `initalRequest`, `initalResponse`). Its `sessionID` and
/// `serviceTime` travel beside the head in the answer (``PaymentDataReport``), not inside it.
extension PaymentExchangeInfoHead {
    /// The JSON object, keys in the documented order; `totalAmount` a JSON number with at least two
    /// decimals (`99.50`), `note` empty when none.
    public var json: OrderedJSON.Value {
        .object([
            ("guid", .string(guid)), ("initalRequest", .string(initalRequest)), ("initalResponse", .string(initalResponse)),
            ("ebpCode", .string(ebpCode)), ("payCode", .string(payCode)), ("payTransactionId", .string(payTransactionId)),
            ("totalAmount", .number(totalAmount.description)), ("currency", .string(currency)), ("verDept", .string(verDept)),
            ("payType", .string(payType)), ("tradingTime", .string(tradingTime)), ("note", .string(note ?? "")),
        ])
    }
}
