import Foundation

/// The rows behind the ops overview's time charts, for one window (``AccessStore/opsSeries(since:now:limit:)``):
/// each list holds at most the limit asked for (``truncated`` says when one was cut).
public struct OpsSeries: Sendable, Hashable {
    /// A declaration released by customs in the window: when it was routed (declared) and released.
    public struct Release: Sendable, Hashable {
        /// The business key to open its shipment by (orderNo, else invtNo, logisticsNo, copNo).
        public var key: String
        public var declaredAt: Date
        public var releasedAt: Date
    }

    /// A receipt stored in the window: customs' `returnTime` (China Standard Time, as sent) and when it arrived.
    public struct ReceiptLag: Sendable, Hashable {
        public var key: String?
        public var returnStatus: String
        public var returnTime: String
        public var storedAt: Date
    }

    /// An outbox row alive in the window: queued at ``createdAt``; left the queue at ``finishedAt``
    /// (delivered or dead, its last update) or is still waiting (nil).
    public struct OutboxSpan: Sendable, Hashable {
        public var createdAt: Date
        public var finishedAt: Date?
        public var dead: Bool
    }

    /// Messages of one type received in one minute (the minute's start).
    public struct MessageCount: Sendable, Hashable {
        public var minute: Date
        public var messageType: String
        public var count: Int
    }

    public var releases: [Release]
    public var receipts: [ReceiptLag]
    public var outbox: [OutboxSpan]
    /// Outbox rows that were dead before the window began.
    public var deadBefore: Int
    public var messages: [MessageCount]
    /// Some list reached the limit: the charts show part of the window.
    public var truncated: Bool
}
