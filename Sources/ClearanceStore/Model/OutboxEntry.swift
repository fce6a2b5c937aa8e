import Foundation

/// Delivery state of an outbox row.
public enum OutboxStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    /// Claimed by a sender; reclaimable once its lease (`nextAttemptAt`) has passed.
    case inFlight = "in-flight"
    case delivered
    /// Gave up; needs an operator.
    case dead
}

/// One message (or one part of it) to deliver to one destination. Encodable as the API's
/// `Delivery` (`openapi.yaml`): the coding keys are the fields the API shows.
public struct OutboxEntry: Sendable, Hashable, Encodable {
    public var id: Int64
    public var messageId: Int64
    public var messageGuid: String
    public var destination: String
    public var status: OutboxStatus
    public var attempts: Int
    /// When pending: earliest next attempt. When in flight: lease expiry.
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The part of the message this row delivers; nil when it delivers the whole message.
    public var part: OutboxPart?
    /// The customs request for payment data this row answers (a form post of `payExInfoStr` built at
    /// delivery, not the message); nil for message deliveries.
    public var paymentRequestId: Int64? = nil
    /// Set by a claim in shipment order: the rows of one shipment claimed together share a chain (the
    /// id of its first row) and go to their destination one after another, in id order, the next
    /// only once the one before it was accepted. Nil: a row on its own.
    public var chain: Int64? = nil

    private enum CodingKeys: CodingKey {
        case id, messageGuid, destination, status, attempts, nextAttemptAt, lastError, createdAt, paymentRequestId
    }
}
