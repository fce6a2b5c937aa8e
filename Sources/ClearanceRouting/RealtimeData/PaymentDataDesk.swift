import CEBModel
import ClearanceStore
import Foundation

/// Takes customs' real-time payment data requests and the platforms' deposits, and builds answers
/// from what is stored: the order (CEB311), its payment (CEB411) and the deposited originals.
///
/// A request is answered only when everything the answer needs is there: otherwise it is kept
/// `not-sent` with the reason (`RTD…`) on the request and the order's timeline, and a later deposit
/// for that order queues it. The answer itself is built and signed again at each delivery attempt
/// (``DeliveryWorker``), so a replay after a fix sends current data under a fresh signature.
public struct PaymentDataDesk: Sendable {
    /// The store (messages, and the payment data tables).
    public let store: any Store & PaymentDataStore
    /// The routing table in force (its `realtimeData` destination).
    public let table: @Sendable () -> RoutingTable

    /// Creates a desk.
    public init(store: any Store & PaymentDataStore, table: @escaping @Sendable () -> RoutingTable) {
        self.store = store
        self.table = table
    }

    /// Records customs' request and queues its answer when it can be built; returns the request as it
    /// now stands (a repeated session id returns the first request, unchanged).
    public func request(
        sessionID: String, orderNo: String, serviceTime: String, requestedBy: String, now: Date = Date()
    ) async throws(StoreError) -> PaymentDataRequest {
        let (request, created) = try await store.recordPaymentDataRequest(
            sessionID: sessionID, orderNo: orderNo, serviceTime: serviceTime, requestedBy: requestedBy, now: now)
        guard created else { return request }
        return try await attempt(request, now: now)
    }

    /// Stores a deposit and queues every request for its order that was waiting; returns those requests.
    @discardableResult
    public func deposit(_ original: PaymentOriginal, now: Date = Date()) async throws(StoreError) -> [PaymentDataRequest] {
        try await store.depositPaymentOriginal(original)
        var out: [PaymentDataRequest] = []
        for request in try await store.paymentDataRequests(orderNo: original.orderNo, state: .notSent, limit: 100) {
            out.append(try await attempt(request, now: now))
        }
        return out
    }

    /// Queues the answer to a `not-sent` request, or records why it cannot be sent.
    func attempt(_ request: PaymentDataRequest, now: Date) async throws(StoreError) -> PaymentDataRequest {
        guard let destination = table().realtimeData else {
            return try await notSent(request, code: "RTD009",
                                     reason: "RTD009 the routing table names no realtimeData destination to answer customs at", now: now)
        }
        let orderMessage: String
        do {
            let built = try await build(request)
            orderMessage = built.orderMessageGuid
        } catch let error as PaymentDataError {
            return try await notSent(request, code: error.code, reason: error.description, now: now)
        } catch let error as StoreError {
            throw error
        } catch {
            return try await notSent(request, code: "RTD008", reason: "RTD008 \(error)", now: now)
        }
        _ = try await store.queuePaymentDataAnswer(id: request.id, orderMessageGuid: orderMessage, destination: destination, now: now)
        return try await store.paymentDataRequest(id: request.id) ?? request
    }

    private func notSent(_ request: PaymentDataRequest, code: String, reason: String, now: Date) async throws(StoreError) -> PaymentDataRequest {
        try await store.updatePaymentDataRequest(
            id: request.id, state: .notSent, reason: reason, customsCode: nil, customsMessage: nil,
            event: .paymentDataNotSent, eventCode: code, now: now)
        return try await store.paymentDataRequest(id: request.id) ?? request
    }

    /// The unsigned answer to request `id` (for delivery).
    public func report(requestId: Int64) async throws -> PaymentDataReport {
        guard let request = try await store.paymentDataRequest(id: requestId) else {
            throw PaymentDataError.unreadable("request \(requestId) is not stored")
        }
        return try await build(request).report
    }

    /// Builds the answer from the stored order, payment and deposit. Throws ``PaymentDataError`` for
    /// what is missing, ``StoreError`` when the store fails.
    func build(_ request: PaymentDataRequest) async throws -> (report: PaymentDataReport, orderMessageGuid: String) {
        guard let orderRef = try await store.declaration(kind: .order, orderNo: request.orderNo) else {
            throw PaymentDataError.orderMissing(orderNo: request.orderNo)
        }
        guard let paymentRef = try await store.declaration(kind: .payment, orderNo: request.orderNo) else {
            throw PaymentDataError.paymentMissing(orderNo: request.orderNo)
        }
        let payTransactionId = paymentRef.payTransactionId ?? ""
        guard let original = try await store.paymentOriginal(payTransactionId: payTransactionId) else {
            throw PaymentDataError.originalsMissing(payTransactionId: payTransactionId)
        }
        let order: Order = try await document(orderRef.messageGuid) { if case .order(let o) = $0, o.head.orderNo == request.orderNo { o } else { nil } }
        let payment: Payment = try await document(paymentRef.messageGuid) {
            if case .payment(let p) = $0, p.head.orderNo == request.orderNo { p } else { nil }
        }
        guard let recpAccount = original.recpAccount, !recpAccount.isEmpty else { throw PaymentDataError.fieldMissing("recpAccount (the payee's account)") }
        guard let recpName = original.recpName, !recpName.isEmpty else { throw PaymentDataError.fieldMissing("recpName (the payee's name)") }
        var goods: [PaymentExchangeOrder.Goods] = []
        for line in order.lines {
            guard let link = original.itemLinks[line.gnum], !link.isEmpty else {
                throw PaymentDataError.fieldMissing("itemLink of order line \(line.gnum) (the product page)")
            }
            goods.append(.init(gname: line.itemName, itemLink: link))
        }
        let head = PaymentExchangeInfoHead(
            guid: PaymentDataDesk.answerGuid(request), initalRequest: original.initalRequest, initalResponse: original.initalResponse,
            ebpCode: order.head.ebpCode, payCode: payment.head.payCode, payTransactionId: payment.head.payTransactionId,
            totalAmount: payment.head.amountPaid, currency: payment.head.currency,
            verDept: original.verDept ?? "3", payType: original.payType ?? "4", tradingTime: payment.head.payTime,
            note: payment.head.note ?? "")
        let list = PaymentExchangeOrder(
            orderNo: order.head.orderNo, goodsInfo: goods, recpAccount: recpAccount, recpCode: original.recpCode ?? "", recpName: recpName)
        return (PaymentDataReport(sessionID: request.sessionID, head: head, lists: [list], serviceTime: request.serviceTime),
                orderRef.messageGuid)
    }

    /// The answer's guid: derived from the session id (UUID v5), so every attempt at one answer
    /// carries the same guid and customs can dedupe by it.
    static func answerGuid(_ request: PaymentDataRequest) -> String {
        PartGuid.make(original: "payExInfo:" + request.sessionID, part: 0, of: 0)
    }

    private func document<T>(_ guid: String, _ pick: (CEBDocument) -> T?) async throws -> T {
        guard let record = try await store.message(guid: guid) else { throw PaymentDataError.unreadable("message \(guid) is not stored") }
        let decoded: DecodedMessage
        do {
            decoded = try DecodedMessage.decode(record.rawBytes)
        } catch {
            throw PaymentDataError.unreadable("message \(guid): \(error)")
        }
        for document in decoded.documents { if let found = pick(document) { return found } }
        throw PaymentDataError.unreadable("message \(guid) holds no matching document")
    }
}
