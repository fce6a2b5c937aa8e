import Foundation

/// The store operations of real-time payment data for customs (announcement 2018 No. 179): the
/// originals platforms deposit per payment, customs' requests and their answers through the outbox.
///
/// Both engines implement it; cast a ``Store`` to it.
public protocol PaymentDataStore: Sendable {
    /// Stores (or replaces) the deposit for its payment.
    func depositPaymentOriginal(_ original: PaymentOriginal) async throws(StoreError)

    /// The deposit for a payment, unmasked (for building the answer only; views use ``PaymentOriginal/masked``).
    func paymentOriginal(payTransactionId: String) async throws(StoreError) -> PaymentOriginal?

    /// The newest stored declaration of `kind` for an order (orders and payments: `order_no`).
    func declaration(kind: DeclarationKind, orderNo: String) async throws(StoreError) -> StoredDeclarationRef?

    /// The newest stored payment declaration with this transaction id.
    func payment(payTransactionId: String) async throws(StoreError) -> StoredDeclarationRef?

    /// Records a request; a request with a session id already recorded is returned as it stands
    /// (`created` false): customs repeating itself gets one answer.
    func recordPaymentDataRequest(
        sessionID: String, orderNo: String, serviceTime: String, requestedBy: String, now: Date
    ) async throws(StoreError) -> (request: PaymentDataRequest, created: Bool)

    /// The request with this id.
    func paymentDataRequest(id: Int64) async throws(StoreError) -> PaymentDataRequest?

    /// Requests for an order (newest first), or every request in `state` when `orderNo` is nil.
    func paymentDataRequests(orderNo: String?, state: PaymentDataRequest.State?, limit: Int) async throws(StoreError) -> [PaymentDataRequest]

    /// In one transaction: queues the answer to request `id` for `destination` (an outbox row on the
    /// order's message `orderMessageGuid`), sets the request `queued` and puts `payment-data-queued` on
    /// the order's timeline. A request already queued or answered is left alone (returns nil).
    func queuePaymentDataAnswer(id: Int64, orderMessageGuid: String, destination: String, now: Date) async throws(StoreError) -> OutboxEntry?

    /// Moves request `id` to `state` with a reason or customs' answer, and appends `event` (kind, code,
    /// detail) on the timeline of the order, when the order is stored.
    func updatePaymentDataRequest(
        id: Int64, state: PaymentDataRequest.State, reason: String?, customsCode: String?, customsMessage: String?,
        event: EventKind, eventCode: String?, now: Date
    ) async throws(StoreError)
}

extension EventKind {
    /// customs asked for an order's payment data.
    public static let paymentDataRequested = EventKind(rawValue: "payment-data-requested")
    /// The answer could not be built (code `RTD…`): nothing was sent.
    public static let paymentDataNotSent = EventKind(rawValue: "payment-data-not-sent")
    /// The answer is in the outbox.
    public static let paymentDataQueued = EventKind(rawValue: "payment-data-queued")
    /// customs answered the upload; `code` is customs' code (`10000` accepted).
    public static let paymentDataAnswered = EventKind(rawValue: "payment-data-answered")
}
