import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// Customs' electronic tax bills (CEB816) and their status (CEB818) through the receipt processor
/// on both engines: linked to the inventory by the invtNo customs gave it in its CEB622 receipt,
/// compared with the tax its order declared, on the timeline, never moving the customs status.
@Suite struct TaxBillTests {
    /// A tax bill as customs writes it (no BaseTransfer), signed with the simulated customs key.
    static func bill(guid: String = UUID().uuidString, invtNo: String, duty: String, vat: String, consumption: String,
                     status: String = "1", time: String) throws -> [UInt8] {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:CEB816Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">
              <ceb:Tax>
                <ceb:TaxHeadRd>
                  <ceb:guid>\(guid)</ceb:guid><ceb:returnTime>\(time)</ceb:returnTime><ceb:invtNo>\(invtNo)</ceb:invtNo>
                  <ceb:taxNo>\(invtNo)_0</ceb:taxNo><ceb:customsTax>\(duty)</ceb:customsTax><ceb:valueAddedTax>\(vat)</ceb:valueAddedTax>
                  <ceb:consumptionTax>\(consumption)</ceb:consumptionTax><ceb:status>\(status)</ceb:status>
                  <ceb:assureCode>3501980001</ceb:assureCode><ceb:customsCode>3501</ceb:customsCode>
                </ceb:TaxHeadRd>
                <ceb:TaxListRd>
                  <ceb:gnum>1</ceb:gnum><ceb:gcode>1905310000</ceb:gcode><ceb:taxPrice>100.00</ceb:taxPrice>
                  <ceb:customsTax>\(duty)</ceb:customsTax><ceb:valueAddedTax>\(vat)</ceb:valueAddedTax><ceb:consumptionTax>\(consumption)</ceb:consumptionTax>
                </ceb:TaxListRd>
              </ceb:Tax>
            </ceb:CEB816Message>

            """
        return try EndToEndTests.customs.0.sign(bytes: Array(xml.utf8))
    }

    static func status(invtNo: String, status: String, time: String) throws -> [UInt8] {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:CEB818Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">
              <ceb:Tax>
                <ceb:TaxHeadStatus>
                  <ceb:guid>\(UUID().uuidString)</ceb:guid><ceb:returnTime>\(time)</ceb:returnTime><ceb:invtNo>\(invtNo)</ceb:invtNo>
                  <ceb:taxNo>\(invtNo)_0</ceb:taxNo><ceb:status>\(status)</ceb:status>
                </ceb:TaxHeadStatus>
              </ceb:Tax>
            </ceb:CEB818Message>

            """
        return try EndToEndTests.customs.0.sign(bytes: Array(xml.utf8))
    }

    /// Customs accepts the inventory (120) and gives it its invtNo.
    static func accepted(_ s: SampleShipment, invtNo: String) throws -> [UInt8] {
        try AuthorityAnswerTests.receipt(root: "CEB622Message", document: "InventoryReturn", fields: [
            ("guid", AuthorityAnswerTests.headGuid(s.inventory)), ("customsCode", "3501"), ("copNo", s.copNo), ("invtNo", invtNo),
            ("returnStatus", "120"), ("returnTime", "20261125100000000"), ("returnInfo", "accepted"),
        ])
    }

    /// A store holding one shipment whose inventory was declared without an invtNo (customs gives
    /// it one in its receipt), and a processor requiring customs' signature.
    func setUp(_ engine: TestEngine, _ n: Int) async throws -> (any ClearanceFlowStore, ReceiptProcessor, SampleShipment) {
        let store = try await makeFlowStore(engine)
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")
        let flow = ClearanceFlow(store: store, routing: { table })
        var shipment = SampleShipment.make(n)
        shipment.inventory = Array(String(decoding: shipment.inventory, as: UTF8.self)
            .replacingOccurrences(of: #"<ceb:invtNo>[^<]*</ceb:invtNo>"#, with: "", options: .regularExpression).utf8)
        for part in shipment.all { _ = try await flow.accept(part.bytes) }
        let processor = FlowFixtures.signedReceipts(store: store, trust: EndToEndTests.customs.1)
        return (store, processor, shipment)
    }

    @Test("a bill agreeing with the declared tax, one that differs (TAX001), and its status, on the inventory's timeline", arguments: TestEngine.allCases)
    func billsOnTheTimeline(_ engine: TestEngine) async throws {
        let (store, processor, s) = try await setUp(engine, 7101)
        let invtNo = "35012026I0000" + "07101"
        let accepted = try await processor.process(try Self.accepted(s, invtNo: invtNo))
        #expect(accepted.receipts.map(\.matched) == [true], "\(accepted)")
        var t = try #require(try await store.trace(.orderNo(s.orderNo)))
        let inventory = try #require(t.declarations.first { $0.kind == .inventory })
        #expect(inventory.invtNo == nil, "found through the receipt that gave it its invtNo")
        let declared = try #require(t.declarations.first { $0.kind == .order }?.taxTotal, "the sample order declares its tax")
        #expect(inventory.status == "120")

        // Customs computes the same total the inventory declared: VAT and consumption tax split it.
        let vat = FixedDecimal(scaled: declared.scaled - 100_000)
        let agreeing = try await processor.process(try Self.bill(
            invtNo: invtNo, duty: "0", vat: vat.money, consumption: "1.00", time: "20261125110000000"))
        #expect(agreeing.receipts.map(\.matched) == [true])
        t = try #require(try await store.trace(.orderNo(s.orderNo)))
        let first = try #require(t.events.first { $0.kind == .taxBill })
        #expect(first.code == nil)
        #expect(first.detail?.contains("= \(declared.money); declared \(declared.money)") == true, "\(first.detail ?? "")")
        #expect(t.declarations.first { $0.kind == .inventory }?.status == "120", "a tax bill never moves the customs status")

        // A second bill 1.50 above the declared tax is flagged with the difference.
        _ = try await processor.process(try Self.bill(
            invtNo: invtNo, duty: "0", vat: vat.money, consumption: "2.50", time: "20261125120000000"))
        t = try #require(try await store.trace(.orderNo(s.orderNo)))
        let flagged = try #require(t.events.first { $0.kind == .taxBill && $0.code == "TAX001" })
        #expect(flagged.detail?.contains("difference +1.50") == true, "\(flagged.detail ?? "")")

        _ = try await processor.process(try Self.status(invtNo: invtNo, status: "2", time: "20261126090000000"))
        t = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(t.events.contains { $0.kind == .taxBillStatus && $0.code == "2" && ($0.detail ?? "").contains("summarised") })
        #expect(t.events.filter { $0.kind == .taxBill }.count == 2)
        await store.close()
    }

    @Test("a bill for an invtNo customs never gave is kept and flagged unmatched, not put on anyone's timeline", arguments: TestEngine.allCases)
    func unknownInventory(_ engine: TestEngine) async throws {
        let (store, processor, s) = try await setUp(engine, 7102)
        _ = try await processor.process(try Self.accepted(s, invtNo: "35012026I000007102"))
        let result = try await processor.process(try Self.bill(
            invtNo: "35012026I099999999", duty: "0", vat: "9.10", consumption: "0", time: "20261125110000000"))
        #expect(result.receipts.map(\.matched) == [false])
        let t = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(!t.events.contains { $0.kind == .taxBill })
        await store.close()
    }
}
