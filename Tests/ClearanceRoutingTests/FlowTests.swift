import ClearanceTestSupport
import CEBModel
import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation
import Testing

/// The clearance flow on a real store: waiting inventories, release by the last document,
/// field-level refusals, quotas from history, life cycle, idempotent duplicates, and the
/// outbox rows written in the same transaction. Runs on SQLite and PostgreSQL.
@Suite struct FlowTests {
    let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")

    func flow(_ store: any ClearanceFlowStore) -> ClearanceFlow {
        let table = self.table
        return ClearanceFlow(store: store, routing: { table })
    }

    @Test(arguments: TestEngine.allCases)
    func inventoryWaitsThenTheLastDocumentReleasesIt(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let flow = flow(store)
            let s = SampleShipment.make(1)
            let inventory = try await flow.accept(s.inventory)
            #expect(inventory.status == .awaiting(["order (CEB311)", "payment (CEB411)", "waybill (CEB511)"]))
            #expect(try await flow.accept(s.order).status == .routed(["customs"]))
            #expect(try await flow.accept(s.waybill).status == .routed(["customs"]))
            let payment = try await flow.accept(s.payment)
            #expect(payment.status == .routed(["customs"]))
            #expect(payment.released == [inventory.guid])
            let timeline = try #require(try await store.trace(.orderNo(s.orderNo)))
            let inv = try #require(timeline.declarations.first { $0.kind == .inventory })
            #expect(inv.status == "declared")
            let kinds = timeline.events.map(\.kind.rawValue)
            #expect(kinds.contains("awaiting-documents"))
            #expect(kinds.contains("documents-matched"))
            #expect(timeline.deliveries.count == 4)
            #expect(Set(timeline.deliveries.map(\.status)) == [.pending])
            // Each outbox row is in the same shipment: a claim hands them out together, as one chain
            // in queue order (see `ShipmentChainTests`), and nothing of it again while they are in flight.
            let claimed = try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date())
            #expect(claimed.count == 4 && Set(claimed.map(\.chain)) == [claimed.map(\.id).min()])
            #expect(try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date()).isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func mismatchIsRefusedFieldByField(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let flow = flow(store)
            let s = SampleShipment.make(2) { text, kind in
                if kind == "payment" { text = text.replacingOccurrences(of: "<ceb:amountPaid>800.43</ceb:amountPaid>", with: "<ceb:amountPaid>799.43</ceb:amountPaid>") }
            }
            for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) }
            let outcome = try await flow.accept(s.inventory)
            #expect(outcome.status == .refused)
            #expect(outcome.issues.map(\.code) == ["MAT003"])
            #expect(outcome.issues.first?.field == "payment.amountPaid")
            let timeline = try #require(try await store.trace(.orderNo(s.orderNo)))
            #expect(timeline.declarations.first { $0.kind == .inventory }?.status == "refused")
            #expect(timeline.events.contains { $0.kind == .rejected && $0.code == "MAT003" })
            #expect(!timeline.deliveries.contains { $0.messageGuid == outcome.guid }, "a refused inventory is never queued")
        }
    }

    /// The linked documents come from the stored rows and lines, not the raw messages: the buyer's
    /// ID number (kept only hashed) still tells equal from different, and lines still compare.
    @Test(arguments: TestEngine.allCases)
    func theMatchReadsStoredFactsIDNumbersByHashLinesByRow(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let flow = flow(store)
            let other = String(decoding: SampleShipment.make(5).payment, as: UTF8.self)
            let otherID = try #require(other.firstMatch(of: /<ceb:payerIdNumber>([^<]*)</)?.1).description
            var buyerID = ""
            let s = SampleShipment.make(4) { text, kind in
                if kind == "payment", let id = text.firstMatch(of: /<ceb:payerIdNumber>([^<]*)</)?.1 {
                    buyerID = String(id)
                    text = text.replacingOccurrences(of: "<ceb:payerIdNumber>\(id)<", with: "<ceb:payerIdNumber>\(otherID)<")
                }
                if kind == "order" { text = text.replacingOccurrences(of: "<ceb:itemNo>TW-PC-0301<", with: "<ceb:itemNo>TW-PC-0399<") }
            }
            #expect(!buyerID.isEmpty && buyerID != otherID)
            for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) }
            let outcome = try await flow.accept(s.inventory)
            #expect(outcome.status == .refused)
            #expect(outcome.issues.map(\.code) == ["MAT005", "MAT007"], "\(outcome.issues)")
            #expect(outcome.issues.first?.field == "payment.payerIdNumber")
            let told = outcome.issues.map(\.description).joined()
            #expect(!told.contains(buyerID) && !told.contains(otherID), "no ID number whole: \(told)")

            // The same shipment with matching documents goes: equal numbers are recognised by their hash.
            let good = SampleShipment.make(6)
            for part in [good.order, good.payment, good.waybill] { _ = try await flow.accept(part) }
            #expect(try await flow.accept(good.inventory).status == .routed(["customs"]))
        }
    }

    @Test(arguments: TestEngine.allCases)
    func mismatchFoundWhenTheLastDocumentArrives(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let flow = flow(store)
            let s = SampleShipment.make(3) { text, kind in
                if kind == "order" { text = text.replacingOccurrences(of: "<ceb:buyerName>陈思远</ceb:buyerName>", with: "<ceb:buyerName>陈思源</ceb:buyerName>") }
            }
            #expect(try await flow.accept(s.inventory).status == .awaiting(["order (CEB311)", "payment (CEB411)", "waybill (CEB511)"]))
            for part in [s.payment, s.waybill, s.order] { _ = try await flow.accept(part) }
            let timeline = try #require(try await store.trace(.orderNo(s.orderNo)))
            #expect(timeline.declarations.first { $0.kind == .inventory }?.status == "refused")
            #expect(timeline.events.filter { $0.kind == .rejected }.compactMap(\.code) == ["MAT006"])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func annualQuotaCountsReleasedInventoriesFromTheStore(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let flow = flow(store)
            // Same buyer (n % 1000 equal), 35 orders of ¥752: the 35th exceeds ¥26,000 once 34 are released.
            var refusedAt: Int?
            for n in 0..<36 {
                let s = SampleShipment.make(1000 * n + 7)
                for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) }
                let outcome = try await flow.accept(s.inventory)
                if case .refused = outcome.status {
                    #expect(outcome.issues.map(\.code) == ["QTA002"])
                    refusedAt = n
                    break
                }
                // Customs releases it.
                let receipt = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <ceb:CEB622Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">
                    <ceb:InventoryReturn><ceb:guid>\(UUID().uuidString)</ceb:guid><ceb:customsCode>3501</ceb:customsCode>
                    <ceb:copNo>\(s.copNo)</ceb:copNo>
                    <ceb:returnStatus>800</ceb:returnStatus><ceb:returnTime>20261125100000\(String(format: "%03d", n))</ceb:returnTime>
                    <ceb:returnInfo>放行</ceb:returnInfo></ceb:InventoryReturn>
                    <ceb:BaseTransfer><ceb:copCode>3516980E2K</ceb:copCode><ceb:copName>x</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000461330</ceb:dxpId></ceb:BaseTransfer>
                    </ceb:CEB622Message>
                    """
                let result = try await ReceiptProcessor(store: store).process(Array(receipt.utf8))
                #expect(result.receipts.first?.matched == true)
            }
            #expect(refusedAt == 34, "34 × 752 = 25,568 cleared; the 35th would make 26,320")
        }
    }

    @Test(arguments: TestEngine.allCases)
    func lifecycleAndDuplicates(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let flow = flow(store)
            let s = SampleShipment.make(4)
            #expect(try await flow.accept(s.order).status == .routed(["customs"]))
            #expect(try await flow.accept(s.order).status == .duplicate, "the same message again is answered idempotently")
            // A second "new" order with the same orderNo from another message is refused (LIF001).
            let again = Array(SampleShipment.freshGuids(String(decoding: s.order, as: UTF8.self)).utf8)
            let second = try await flow.accept(again)
            #expect(second.status == .refused)
            #expect(second.issues.map(\.code) == ["LIF001"])
            // A modify of an order never declared is refused (LIF002).
            let orphan = SampleShipment.make(5) { text, kind in
                if kind == "order" { text = text.replacingOccurrences(of: "<ceb:appType>1</ceb:appType>", with: "<ceb:appType>2</ceb:appType>") }
            }
            let modify = try await flow.accept(orphan.order)
            #expect(modify.issues.map(\.code) == ["LIF002"])
            #expect(try await store.outboxEntries(status: nil, limit: 10).count == 1)
        }
    }
}
