import ClearanceStore
import Foundation
import Hummingbird

/// customs' request for an order's payment data (`POST /v1/realtime/payment-requests`). `serviceTime`
/// may come as a string or a number of milliseconds (the field spelling is unconfirmed).
struct PaymentDataRequestBody: Decodable {
    var orderNo: String
    var sessionID: String
    var serviceTime: String

    enum CodingKeys: String, CodingKey { case orderNo, sessionID, serviceTime }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderNo = try c.decode(String.self, forKey: .orderNo)
        sessionID = try c.decode(String.self, forKey: .sessionID)
        if let text = try? c.decode(String.self, forKey: .serviceTime) {
            serviceTime = text
        } else {
            serviceTime = String(try c.decode(Int64.self, forKey: .serviceTime))
        }
    }
}

/// One request and where it stands.
struct PaymentDataRequestDTO: ResponseEncodable {
    var id: Int64
    var sessionID: String
    var orderNo: String
    var serviceTime: String
    var requestedBy: String
    var state: String
    var reason: String?
    var customsCode: String?
    var customsMessage: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ r: PaymentDataRequest) {
        id = r.id
        sessionID = r.sessionID
        orderNo = r.orderNo
        serviceTime = r.serviceTime
        requestedBy = r.requestedBy
        state = r.state.rawValue
        reason = r.reason
        customsCode = r.customsCode
        customsMessage = r.customsMessage
        createdAt = r.createdAt
        updatedAt = r.updatedAt
    }
}

/// The acknowledgement customs gets at once: `code` `10000` (taken; the data follows through the
/// outbox), customs' `serviceTime` echoed, and the request as recorded.
struct PaymentDataAckDTO: ResponseEncodable {
    var code: String
    var message: String
    var serviceTime: String
    var request: PaymentDataRequestDTO
}

/// What a platform deposits for a payment (`PUT /v1/payments/{payTransactionId}/original`).
struct PaymentOriginalBody: Decodable {
    var initalRequest: String
    var initalResponse: String
    var verDept: String?
    var payType: String?
    var recpAccount: String?
    var recpCode: String?
    var recpName: String?
    /// Product page URLs by order line number (`gnum`, as a string key).
    var itemLinks: [String: String]?
}

/// A deposit as every view shows it: the originals and the payee's account masked.
struct PaymentOriginalDTO: ResponseEncodable {
    var payTransactionId: String
    var orderNo: String
    var depositedBy: String
    var initalRequest: String
    var initalResponse: String
    var verDept: String?
    var payType: String?
    var recpAccount: String?
    var recpCode: String?
    var recpName: String?
    var itemLinks: [String: String]
    var updatedAt: Date
    /// Requests for the order that this deposit queued (deposit answers only).
    var queued: [PaymentDataRequestDTO]?

    init(_ original: PaymentOriginal, queued: [PaymentDataRequest]? = nil) {
        let m = original.masked
        payTransactionId = m.payTransactionId
        orderNo = m.orderNo
        depositedBy = m.enterpriseCode
        initalRequest = m.initalRequest
        initalResponse = m.initalResponse
        verDept = m.verDept
        payType = m.payType
        recpAccount = m.recpAccount
        recpCode = m.recpCode
        recpName = m.recpName
        itemLinks = Dictionary(uniqueKeysWithValues: m.itemLinks.map { (String($0.key), $0.value) })
        updatedAt = m.updatedAt
        self.queued = queued?.map(PaymentDataRequestDTO.init)
    }
}
