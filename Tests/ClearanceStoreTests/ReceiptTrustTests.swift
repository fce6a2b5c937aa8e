import CEBModel
import ClearanceRules
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// What a receipt may do to a declaration, on both engines: move it only forward in the customs
/// order of states, only when it was routed to the receipt's authority and its keys agree; an
/// approved cancellation settles the inventory and gives its amount back to the buyer's year.
@Suite("Receipts: order of states, routing, settlement")
struct ReceiptTrustTests {
    private func status(_ store: SQLStore, _ f: ShipmentFixture) async throws -> String? {
        try await store.trace(.orderNo(f.orderNo))?.declarations.first { $0.kind == .inventory }?.status
    }

    private func receipt(_ f: ShipmentFixture, _ store: SQLStore, status: String, time: String, tag: String,
                         routedTo: [String]? = nil, copNo: String? = nil) async throws -> ReceiptOutcome? {
        var (item, receipt) = f.inventoryReceipt(status: status, time: time, offset: Double(tag.hashValue % 1000))
        let guid = ShipmentFixture.guid("R\(tag)", f.index)
        item.message.guid = guid
        receipt.messageGuid = guid
        receipt.routedTo = routedTo
        if let copNo { receipt.copNo = copNo }
        _ = try await store.ingest([item])
        return try await store.storeReceipts([receipt]).first
    }

    @Test("a forged 100 with a far-future returnTime cannot undo a clearance; nothing leaves a final state", arguments: TestEngine.allCases)
    func customsOrderOfStates(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let f = ShipmentFixture(31)
        _ = try await store.ingest(f.items)
        _ = try await receipt(f, store, status: "120", time: "20261125100000000", tag: "A")
        _ = try await receipt(f, store, status: "899", time: "20261125120000000", tag: "B")
        // An 800 that arrives after the 899 (older returnTime, lower rank) does not move it back.
        _ = try await receipt(f, store, status: "800", time: "20261125110000000", tag: "C")
        #expect(try await status(store, f) == "899")
        _ = try await receipt(f, store, status: "100", time: "20991231235959000", tag: "D")
        #expect(try await status(store, f) == "899")
        // Same rank: the newest returnTime wins (501 then 502, and a late-arriving older 503 loses).
        let g = ShipmentFixture(32)
        _ = try await store.ingest(g.items)
        _ = try await receipt(g, store, status: "501", time: "20261125100000000", tag: "E")
        _ = try await receipt(g, store, status: "502", time: "20261125110000000", tag: "F")
        _ = try await receipt(g, store, status: "503", time: "20261125105000000", tag: "G")
        #expect(try await status(store, g) == "502")
        await store.close()
    }

    @Test("a receipt links only to a declaration routed to its authority's destinations, with agreeing keys", arguments: TestEngine.allCases)
    func routedAndAgreeing(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let f = ShipmentFixture(41)
        _ = try await store.ingest(f.items)
        let notRouted = try await receipt(f, store, status: "120", time: "20261125100000000", tag: "A", routedTo: ["customs-fuzhou"])
        #expect(notRouted?.declarationId == nil)
        #expect(try await status(store, f) != "120")
        try await store.enqueueOutbox(messageGuid: f.items[3].message.guid, destination: "customs-fuzhou", notBefore: ShipmentFixture.base)
        let otherAuthority = try await receipt(f, store, status: "120", time: "20261125100000001", tag: "B", routedTo: ["inspection"])
        #expect(otherAuthority?.declarationId == nil)
        let disagreeing = try await receipt(f, store, status: "120", time: "20261125100000002", tag: "C", routedTo: ["customs-fuzhou"], copNo: "OTHER")
        #expect(disagreeing?.declarationId == nil)
        let rightful = try await receipt(f, store, status: "120", time: "20261125100000003", tag: "D", routedTo: ["customs-fuzhou"])
        #expect(rightful?.declarationId != nil)
        #expect(try await status(store, f) == "120")
        await store.close()
    }

    @Test("the annual count holds inventories in flight, and an approved cancellation gives the amount back", arguments: TestEngine.allCases)
    func annualCountAndCancellation(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let f = ShipmentFixture(51)
        _ = try await store.ingest(f.items)
        let inventoryGuid = ShipmentFixture.guid("IHEAD", 51)
        // The fixture has no appTime: give it one this year so the count sees it, and declare it.
        _ = try await store.session { (s: any SQLSession) throws(StoreError) in
            try s.execute("UPDATE declarations SET app_time = $1, status = 'declared' WHERE declaration_guid = $2",
                          [.integer(StoreClock.milliseconds(ChinaTime.yearBounds(2026).start) + 1000), .text(inventoryGuid)])
        }
        func totals() async throws -> BuyerAnnualTotal {
            try await store.annualTotal(buyerIdType: "1", buyerIdNumber: f.buyerId, year: 2026, excludingDeclarationGuid: nil)
        }
        let declared = try await totals()
        #expect(declared.cleared == .zero)
        #expect(declared.inFlight > .zero)
        _ = try await receipt(f, store, status: "800", time: "20261125100000000", tag: "A")
        let released = try await totals()
        #expect(released.cleared == declared.inFlight)
        #expect(released.inFlight == .zero)

        // A cancellation of that inventory (same parties and numbers), approved by customs.
        let cancelGuid = ShipmentFixture.guid("CANCEL", 51)
        let cancelMessage = MessageRecord(
            guid: cancelGuid, messageType: "CEB623", senderCode: ShipmentFixture.agentCode, direction: .inbound,
            receivedAt: ShipmentFixture.base, rawBytes: Array("<ceb:CEB623Message/>".utf8), signatureVerdict: "valid")
        _ = try await store.ingest([IngestItem(message: cancelMessage, declarations: [DeclarationRecord(
            kind: .inventoryCancel, messageGuid: cancelGuid, declarationGuid: ShipmentFixture.guid("CHEAD", 51), appType: "1",
            orderNo: f.orderNo, logisticsNo: f.logisticsNo, invtNo: f.invtNo, copNo: f.copNo, ebpCode: ShipmentFixture.ebpCode,
            ebcCode: ShipmentFixture.ebcCode, agentCode: ShipmentFixture.agentCode, customsCode: "3501")])])
        let answerGuid = ShipmentFixture.guid("R624", 51)
        _ = try await store.ingest([IngestItem(message: MessageRecord(
            guid: answerGuid, messageType: "CEB624", senderCode: "3501", direction: .inbound, receivedAt: ShipmentFixture.base,
            rawBytes: Array("<ceb:CEB624Message/>".utf8), signatureVerdict: "valid"))])
        let answered = try await store.storeReceipts([ReceiptRecord(
            messageGuid: answerGuid, forKind: .inventoryCancel, referenceGuid: ShipmentFixture.guid("CHEAD", 51), returnStatus: "800",
            returnTime: "20261126100000000", invtNo: f.invtNo, copNo: f.copNo, agentCode: ShipmentFixture.agentCode)])
        #expect(answered.first?.declarationId != nil)
        #expect(try await status(store, f) == "cancelled")
        let cancelled = try await totals()
        #expect(cancelled.cleared == .zero && cancelled.inFlight == .zero)
        await store.close()
    }
}
