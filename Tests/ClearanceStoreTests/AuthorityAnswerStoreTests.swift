import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Answers of the inspection and payment/FX authorities: receipts whose `forKind` names the
/// authority, linked through `matchKinds`, that never move (nor hold back) a customs status.
@Suite struct AuthorityAnswerStoreTests {
    static let inspection = DeclarationKind(rawValue: "inspection")
    static let paymentForex = DeclarationKind(rawValue: "payment-forex")

    /// A receipt message (stored first, as the processor does) and its answer record.
    func answer(
        _ f: ShipmentFixture, tag: String, type: String, forKind: DeclarationKind, matchKinds: [DeclarationKind],
        referenceGuid: String, status: String, time: String, orderNo: String? = nil, copNo: String? = nil,
        payTransactionId: String? = nil
    ) -> (IngestItem, ReceiptRecord) {
        let guid = ShipmentFixture.guid(tag, f.index)
        let message = MessageRecord(
            guid: guid, messageType: type, senderCode: "351600", direction: .inbound,
            receivedAt: ShipmentFixture.base.addingTimeInterval(Double(f.index) + 300),
            rawBytes: Array("<ceb:\(type)Message guid=\"\(guid)\"/>".utf8), signatureVerdict: "valid")
        let record = ReceiptRecord(
            messageGuid: guid, forKind: forKind, referenceGuid: referenceGuid, returnStatus: status, returnTime: time,
            returnInfo: "\(forKind) \(status)", orderNo: orderNo, copNo: copNo, payTransactionId: payTransactionId,
            matchKinds: matchKinds)
        return (IngestItem(message: message), record)
    }

    func declarationId(_ store: SQLStore, kind: String, orderNo: String) async throws -> Int64 {
        let rows = try await store.rawQuery(
            "SELECT id FROM declarations WHERE kind = $1 AND order_no = $2", [.text(kind), .text(orderNo)])
        return try #require(Int64(rows.first?.first.flatMap { $0 } ?? ""))
    }

    func status(_ store: SQLStore, kind: String, orderNo: String) async throws -> String? {
        try await store.rawQuery(
            "SELECT status FROM declarations WHERE kind = $1 AND order_no = $2", [.text(kind), .text(orderNo)]
        ).first?.first.flatMap { $0 }
    }

    @Test("inspection and payment answers link through matchKinds and leave the customs status alone", arguments: TestEngine.allCases)
    func answersLinkWithoutMovingStatus(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let fixtures = shipments(0..<3)
        _ = try await store.ingest(fixtures.flatMap(\.items))
        let f = fixtures[1]
        let inventoryId = try await declarationId(store, kind: "inventory", orderNo: f.orderNo)
        let paymentId = try await declarationId(store, kind: "payment", orderNo: f.orderNo)

        // Customs releases the inventory.
        let (released, releasedReceipt) = f.inventoryReceipt(status: "800", time: "20261125120000000")
        _ = try await store.ingest([released])
        _ = try await store.storeReceipts([releasedReceipt])
        #expect(try await status(store, kind: "inventory", orderNo: f.orderNo) == "800")

        // A later inspection hold, found by copNo (its guid names no declaration): linked, status kept.
        let (holdMessage, hold) = answer(
            f, tag: "INSPHOLD", type: "INSPRET", forKind: Self.inspection, matchKinds: [.inventory, .order],
            referenceGuid: ShipmentFixture.guid("NOSUCH", f.index), status: "500", time: "20261125130000000",
            orderNo: f.orderNo, copNo: f.copNo)
        _ = try await store.ingest([holdMessage])
        let holdOutcome = try #require(try await store.storeReceipts([hold]).first)
        #expect(holdOutcome.inserted)
        #expect(holdOutcome.declarationId == inventoryId)
        #expect(try await status(store, kind: "inventory", orderNo: f.orderNo) == "800", "an inspection hold does not undo the release")

        // Customs' 899 with an earlier returnTime than the inspection answer still sets the status:
        // only customs receipts count as "newer".
        let (cleared, clearedReceipt) = f.inventoryReceipt(status: "899", time: "20261125125959000", offset: 250)
        _ = try await store.ingest([cleared])
        _ = try await store.storeReceipts([clearedReceipt])
        #expect(try await status(store, kind: "inventory", orderNo: f.orderNo) == "899")

        // By orderNo only: the first of matchKinds that has it (the inventory before the order).
        let (byOrderMessage, byOrder) = answer(
            f, tag: "INSPORD", type: "INSPRET", forKind: Self.inspection, matchKinds: [.inventory, .order],
            referenceGuid: ShipmentFixture.guid("NOSUCH2", f.index), status: "120", time: "20261125100000000",
            orderNo: f.orderNo)
        _ = try await store.ingest([byOrderMessage])
        #expect(try await store.storeReceipts([byOrder]).first?.declarationId == inventoryId)
        // With the order preferred, the order is chosen.
        let (toOrderMessage, toOrder) = answer(
            f, tag: "INSPORD2", type: "INSPRET", forKind: Self.inspection, matchKinds: [.order, .inventory],
            referenceGuid: ShipmentFixture.guid("NOSUCH3", f.index), status: "120", time: "20261125100000001",
            orderNo: f.orderNo)
        _ = try await store.ingest([toOrderMessage])
        let orderId = try await declarationId(store, kind: "order", orderNo: f.orderNo)
        #expect(try await store.storeReceipts([toOrder]).first?.declarationId == orderId)

        // A payment/FX rejection echoing the payment head's guid: linked to the payment, whose status stays.
        let (rejectedMessage, rejected) = answer(
            f, tag: "PAYFXREJ", type: "PAYEXRET", forKind: Self.paymentForex, matchKinds: [.payment, .exportPayment],
            referenceGuid: ShipmentFixture.guid("PHEAD", f.index), status: "100", time: "20261125093000000")
        _ = try await store.ingest([rejectedMessage])
        #expect(try await store.storeReceipts([rejected]).first?.declarationId == paymentId)
        #expect(try await status(store, kind: "payment", orderNo: f.orderNo) == "received")
        // By payTransactionId when the guid names nothing.
        let (byTxnMessage, byTxn) = answer(
            f, tag: "PAYFXTXN", type: "PAYEXRET", forKind: Self.paymentForex, matchKinds: [.payment, .exportPayment],
            referenceGuid: ShipmentFixture.guid("NOSUCH4", f.index), status: "120", time: "20261125093100000",
            payTransactionId: f.payTransactionId)
        _ = try await store.ingest([byTxnMessage])
        #expect(try await store.storeReceipts([byTxn]).first?.declarationId == paymentId)

        // The same (reference, status, time) as a customs receipt is a different receipt, not a duplicate.
        let (sameMessage, same) = answer(
            f, tag: "INSPSAME", type: "INSPRET", forKind: Self.inspection, matchKinds: [.inventory, .order],
            referenceGuid: releasedReceipt.referenceGuid, status: "800", time: releasedReceipt.returnTime)
        _ = try await store.ingest([sameMessage])
        let sameOutcome = try #require(try await store.storeReceipts([same]).first)
        #expect(sameOutcome.inserted)
        #expect(sameOutcome.declarationId == inventoryId, "linked by the echoed guid")
        #expect(try await store.storeReceipts([same]).first?.inserted == false, "stored once")

        // Unmatched: kept, not linked.
        let (strayMessage, stray) = answer(
            f, tag: "INSPSTRY", type: "INSPRET", forKind: Self.inspection, matchKinds: [.inventory, .order],
            referenceGuid: ShipmentFixture.guid("NOSUCH5", f.index), status: "500", time: "20261125140000000",
            orderNo: "NO-SUCH-ORDER", copNo: "NO-SUCH-COP")
        _ = try await store.ingest([strayMessage])
        let strayOutcome = try #require(try await store.storeReceipts([stray]).first)
        #expect(strayOutcome.inserted && strayOutcome.declarationId == nil)

        // The trace shows the answers beside the customs receipts; the other shipments are untouched.
        let timeline = try #require(try await store.trace(.orderNo(f.orderNo)))
        #expect(timeline.receipts.filter { $0.forKind == Self.inspection }.map(\.returnStatus).sorted() == ["120", "120", "500", "800"])
        #expect(timeline.receipts.filter { $0.forKind == Self.paymentForex }.map(\.returnStatus) == ["100", "120"])
        #expect(timeline.events.filter { $0.kind == .receipt }.count == timeline.receipts.count)
        let strayTrace = try #require(try await store.trace(.guid(stray.messageGuid)))
        #expect(strayTrace.receipts.map(\.declarationId) == [nil])
        #expect(try await status(store, kind: "inventory", orderNo: fixtures[0].orderNo) == "received")
        #expect(try await store.count("receipts") == 9)
        await store.close()
    }
}
