import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Migration 22 on both engines: deposits per payment (replaced, masked in views), customs'
/// requests (one per session id), their answers queued as outbox rows of the order's message
/// (one per request), and their events on the order's timeline.
@Suite struct PaymentDataStoreTests {
    @Test(arguments: TestEngine.allCases)
    func depositsRequestsAndQueuedAnswers(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let f = shipments(0..<1)[0]
        _ = try await store.ingest(f.items)

        let order = try #require(try await store.declaration(kind: .order, orderNo: f.orderNo))
        let payment = try #require(try await store.declaration(kind: .payment, orderNo: f.orderNo))
        #expect(payment.payTransactionId == f.payTransactionId)
        #expect(try await store.payment(payTransactionId: f.payTransactionId)?.declarationGuid == payment.declarationGuid)

        var original = PaymentOriginal(
            payTransactionId: f.payTransactionId, orderNo: f.orderNo, enterpriseCode: order.ebpCode ?? "",
            initalRequest: "card=6222020200112233445 id 350128199003070024 tel 13599001394", initalResponse: "{\"ok\":true}",
            recpAccount: "6222020200998877665", recpName: "收款人", itemLinks: [1: "https://shop.example/1", 2: "https://shop.example/2"])
        try await store.depositPaymentOriginal(original)
        original.initalResponse = "{\"ok\":false}"
        try await store.depositPaymentOriginal(original)
        let stored = try #require(try await store.paymentOriginal(payTransactionId: f.payTransactionId))
        #expect(stored.initalResponse == "{\"ok\":false}", "a second deposit replaces the first")
        #expect(stored.itemLinks == original.itemLinks)
        let masked = stored.masked
        #expect(masked.initalRequest.contains("6222***********3445"))
        #expect(!masked.initalRequest.contains("350128199003070024"))
        #expect(!masked.initalRequest.contains("13599001394"))
        #expect(masked.recpAccount == "6222***********7665")

        let (request, created) = try await store.recordPaymentDataRequest(
            sessionID: "S1", orderNo: f.orderNo, serviceTime: "1764034512000", requestedBy: "CUSTOMS", now: Date())
        #expect(created && request.state == .notSent)
        let (again, createdAgain) = try await store.recordPaymentDataRequest(
            sessionID: "S1", orderNo: f.orderNo, serviceTime: "other", requestedBy: "CUSTOMS", now: Date())
        #expect(!createdAgain && again.id == request.id && again.serviceTime == "1764034512000")
        let (second, _) = try await store.recordPaymentDataRequest(
            sessionID: "S2", orderNo: f.orderNo, serviceTime: "1764034512001", requestedBy: "CUSTOMS", now: Date())

        let first = try #require(try await store.queuePaymentDataAnswer(
            id: request.id, orderMessageGuid: order.messageGuid, destination: "customs-realtime", now: Date()))
        #expect(first.paymentRequestId == request.id && first.part == nil && first.messageGuid == order.messageGuid)
        #expect(try await store.queuePaymentDataAnswer(
            id: request.id, orderMessageGuid: order.messageGuid, destination: "customs-realtime", now: Date()) == nil, "queued once")
        let other = try #require(try await store.queuePaymentDataAnswer(
            id: second.id, orderMessageGuid: order.messageGuid, destination: "customs-realtime", now: Date()))
        #expect(other.id != first.id, "two requests for one order: two rows")
        #expect(try await store.paymentDataRequest(id: request.id)?.state == .queued)

        try await store.updatePaymentDataRequest(
            id: request.id, state: .answered, reason: nil, customsCode: "10000", customsMessage: "ok",
            event: .paymentDataAnswered, eventCode: "10000", now: Date())
        #expect(try await store.paymentDataRequests(orderNo: f.orderNo, state: nil, limit: 10).map(\.id) == [second.id, request.id])
        #expect(try await store.paymentDataRequests(orderNo: nil, state: .answered, limit: 10).map(\.customsCode) == ["10000"])
        let timeline = try #require(try await store.trace(.orderNo(f.orderNo)))
        let kinds = timeline.events.map(\.kind.rawValue)
        #expect(kinds.contains("payment-data-requested"))
        #expect(kinds.contains("payment-data-queued"))
        #expect(timeline.events.contains { $0.kind == .paymentDataAnswered && $0.code == "10000" })
        await store.close()
    }
}
