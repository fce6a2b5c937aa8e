import Foundation

/// One request of customs for the payment data of an order, and what became of it. Encodable as the
/// API shows it (`PaymentDataRequest` in openapi.yaml: these names, `state` as its raw value).
public struct PaymentDataRequest: Sendable, Hashable, Encodable {
    /// Where a request stands.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Something the answer needs is missing (``PaymentDataRequest/reason`` says what): nothing was
        /// sent. Depositing the originals queues it.
        case notSent = "not-sent"
        /// The answer is in the outbox.
        case queued
        /// Customs took the answer (code `10000`).
        case answered
        /// Customs answered with another code (e.g. `20004`: certificate not registered).
        case refused
    }

    public var id: Int64
    /// customs' session id (unique: a repeated request is the same request).
    public var sessionID: String
    public var orderNo: String
    public var serviceTime: String
    /// The authority account that asked.
    public var requestedBy: String
    public var state: State
    /// Why nothing was sent (`RTD…` code first).
    public var reason: String?
    /// customs' answer code and message.
    public var customsCode: String?
    public var customsMessage: String?
    public var createdAt: Date
    public var updatedAt: Date

    /// Creates a request record.
    public init(
        id: Int64, sessionID: String, orderNo: String, serviceTime: String, requestedBy: String, state: State,
        reason: String? = nil, customsCode: String? = nil, customsMessage: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.sessionID = sessionID
        self.orderNo = orderNo
        self.serviceTime = serviceTime
        self.requestedBy = requestedBy
        self.state = state
        self.reason = reason
        self.customsCode = customsCode
        self.customsMessage = customsMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
