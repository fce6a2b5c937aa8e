import CEBModel

/// The real-time payment data answer to one customs request (customs announcement 2018 No. 179),
/// before and after signing.
///
/// Customs checks `signValue` over the *signed string*: the four parts joined by `||`, each
/// `"name":"value"`, with the head and the lists as their compact JSON text inside the quotes (not
/// escaped): `"sessionID":"…"||"payExchangeInfoHead":"{…}"||"payExchangeInfoLists":"[…]"||"serviceTime":"…"`.
/// ``payExInfoStr(certNo:signValue:)`` then carries the same head and lists as JSON objects, written by
/// the same ``OrderedJSON`` writer, so what customs re-serialises from them is what was signed.
public struct PaymentDataReport: Sendable, Hashable {
    /// customs' session id, echoed.
    public var sessionID: String
    /// The payment.
    public var head: PaymentExchangeInfoHead
    /// The orders it paid for.
    public var lists: [PaymentExchangeOrder]
    /// customs' service time, echoed.
    public var serviceTime: String

    /// Creates a report.
    public init(sessionID: String, head: PaymentExchangeInfoHead, lists: [PaymentExchangeOrder], serviceTime: String) {
        self.sessionID = sessionID
        self.head = head
        self.lists = lists
        self.serviceTime = serviceTime
    }

    /// The compact JSON text of `payExchangeInfoHead`.
    public var headJSON: String { OrderedJSON.write(head.json) }

    /// The compact JSON text of `payExchangeInfoLists`.
    public var listsJSON: String { OrderedJSON.write(.array(lists.map(\.json))) }

    /// The exact string `signValue` signs (UTF-8).
    public var signedString: String {
        "\"sessionID\":\"\(sessionID)\"||\"payExchangeInfoHead\":\"\(headJSON)\"||\"payExchangeInfoLists\":\"\(listsJSON)\"||\"serviceTime\":\"\(serviceTime)\""
    }

    /// The form field `payExInfoStr` posted to customs: the whole answer as JSON, keys in the
    /// documented order.
    public func payExInfoStr(certNo: String, signValue: String) -> String {
        OrderedJSON.write(.object([
            ("sessionID", .string(sessionID)),
            ("payExchangeInfoHead", head.json),
            ("payExchangeInfoLists", .array(lists.map(\.json))),
            ("serviceTime", .string(serviceTime)),
            ("certNo", .string(certNo)),
            ("signValue", .string(signValue)),
        ]))
    }
}
