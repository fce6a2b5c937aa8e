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

/// One request and where it stands: the store's record as it encodes itself.
struct PaymentDataRequestDTO: ResponseEncodable {
    let request: PaymentDataRequest

    init(_ request: PaymentDataRequest) { self.request = request }

    func encode(to encoder: any Encoder) throws { try request.encode(to: encoder) }
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

/// A deposit as every view shows it: the store's record, masked, as it encodes itself, and for a
/// deposit the requests it queued.
struct PaymentOriginalDTO: ResponseEncodable {
    let original: PaymentOriginal
    let queued: [PaymentDataRequest]?

    init(_ original: PaymentOriginal, queued: [PaymentDataRequest]? = nil) {
        self.original = original.masked
        self.queued = queued
    }

    enum CodingKeys: String, CodingKey { case queued }

    func encode(to encoder: any Encoder) throws {
        try original.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(queued, forKey: .queued)
    }
}
