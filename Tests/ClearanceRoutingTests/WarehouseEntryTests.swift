import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// The warehouse entry list (CEB711) and customs' receipt (CEB712) on both stores: stored as a
/// declaration of its own listing the waybills, moved by the receipt, and, once accepted, on the
/// timeline of each listed waybill of its logistics company (one it does not list is untouched).
@Suite struct WarehouseEntryTests {
    @Test("a CEB711 is stored with its parcels; an accepted CEB712 puts warehouse-entered on the waybills it lists", arguments: TestEngine.allCases)
    func entryListLinksWaybills(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        // Every message to a customs destination nobody delivers to (nothing here is delivered).
        let customs = DestinationConfig(
            name: "customs", transport: .http(.init(url: "http://127.0.0.1:9/ceb", timeoutSeconds: 1, concurrency: 1)),
            envelope: .none, authority: .customs)
        let table = RoutingTable(senderId: "DXPENT0000000001", destinations: ["customs": customs],
                                 rules: [RoutingRule(name: "everything", match: RoutingRule.Match(), destinations: ["customs"])])
        let flow = ClearanceFlow(store: store, routing: { table })
        let listed = SampleShipment.make(7201), other = SampleShipment.make(7202)
        for part in listed.all + other.all { _ = try await flow.accept(part.bytes) }

        // The official sample, listing the first shipment's parcel and two no one declared.
        var list = String(decoding: try Repository.sample("CEB711-delivery.xml"), as: UTF8.self)
        list = list.replacingOccurrences(of: "<ceb:logisticsNo>LD350128000112501</ceb:logisticsNo>",
                                         with: "<ceb:logisticsNo>\(listed.logisticsNo)</ceb:logisticsNo>")
        #expect(list.contains(listed.logisticsNo))
        let guid = try #require(list.firstMatch(of: /<ceb:guid>([^<]+)<\/ceb:guid>/)?.1).description
        let copNo = try #require(list.firstMatch(of: /<ceb:copNo>([^<]+)<\/ceb:copNo>/)?.1).description
        let outcome = try await flow.accept(Array(list.utf8))
        #expect(outcome.status == .routed(["customs"]), "\(outcome.summary) \(outcome.issues)")

        var entry = try #require(try await store.trace(.guid(outcome.guid))?.declarations.first { $0.kind == .warehouseEntry })
        #expect(entry.copNo == copNo && entry.lineCount == 3 && entry.status == "declared")
        #expect(try await store.trace(.orderNo(listed.orderNo))?.events.contains { $0.kind == .warehouseEntered } == false)

        let processor = FlowFixtures.signedReceipts(store: store, trust: EndToEndTests.customs.1)
        let receipt = try await processor.process(try AuthorityAnswerTests.receipt(root: "CEB712Message", document: "DeliveryReturn", fields: [
            ("guid", guid), ("customsCode", "3501"), ("copNo", copNo), ("returnStatus", "120"),
            ("returnTime", "20261125100000000"), ("returnInfo", "入库成功"),
        ]))
        #expect(receipt.receipts.map(\.matched) == [true], "\(receipt)")
        entry = try #require(try await store.trace(.guid(outcome.guid))?.declarations.first { $0.kind == .warehouseEntry })
        #expect(entry.status == "120")
        let t = try #require(try await store.trace(.orderNo(listed.orderNo)))
        let entered = try #require(t.events.first { $0.kind == .warehouseEntered })
        #expect(entered.detail == "warehouse entry list \(copNo), parcel \(listed.logisticsNo)")
        #expect(t.declarations.first { $0.id == entered.declarationId }?.kind == .logistics, "on the waybill")
        #expect(try await store.trace(.orderNo(other.orderNo))?.events.contains { $0.kind == .warehouseEntered } == false)
        await store.close()
    }
}
