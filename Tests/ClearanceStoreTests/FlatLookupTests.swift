import CEBModel
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The look-ups every single message makes (and an inventory's match, a receipt's declaration, a
/// release's documents) must cost the same however many partitions retention keeps attached (issue
/// 15: with 18 declarations partitions, two of them had grown 6–11×). Each is run with the same keys
/// before and after twenty more partitions of every table are made and filled, and the pages
/// PostgreSQL read for it (`pg_stat_statements`) compared: a statement that probes an index in every
/// partition reads a few pages more for each.
@Suite("Single-message look-ups across partitions")
struct FlatLookupTests {
    @Test("every look-up of a single message reads as many pages with twenty more partitions attached")
    func pagesDoNotGrowWithPartitions() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            try await store.upsertEnterprise(EnterpriseRecord(code: ShipmentFixture.ebpCode, name: "Platform", role: .system))
            let keyHash = String(repeating: "b", count: 64)
            _ = try await store.createAPIKey(enterpriseCode: ShipmentFixture.ebpCode, keyHash: keyHash, prefix: "clr_bbbbbbbb", now: .now)
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2)
            func storeShipment(_ n: Int) async throws {
                _ = try await store.maintainPartitions(policy, now: .now)
                _ = try await store.ingest(ShipmentFixture(n).items)
            }
            for n in 0..<2 { try await storeShipment(n) }
            let shipment = ShipmentFixture(1)
            // One inventory waiting, so the waiting look-up finds something.
            try await store.rawExecute("""
                UPDATE declarations SET status = '\(DeclarationStatus.awaitingDocuments)' WHERE kind = 'inventory' AND order_no = '\(shipment.orderNo)'
                """)

            // A customs receipt for the other shipment's inventory: stored by the first call, found
            // again (and kept once) by each later one.
            let (carrier, receipt) = ShipmentFixture(0).inventoryReceipt(status: "120", time: "20261125100000000")
            _ = try await store.ingest([carrier])
            let inventoryGuid = ShipmentFixture.guid("IHEAD", shipment.index)

            /// Each statement of the look-ups (by query id) with its text and the pages it read a call,
            /// after a first call of each has made its plan.
            func pagesOfLookUps() async throws -> [String: (query: String, pages: Int)] {
                func lookUps() async throws {
                    #expect(try await store.declarationPhase(kind: "order", businessKey: shipment.orderNo, senderCode: ShipmentFixture.ebpCode).declarationGuid != nil)
                    #expect(try await store.awaitingInventories(orderNo: shipment.orderNo, logisticsNo: "LP-none").count == 1)
                    #expect(try await store.enterprise(apiKeyHash: keyHash)?.code == ShipmentFixture.ebpCode)
                    _ = try await store.enterprise(code: ShipmentFixture.ebcCode)
                    _ = try await store.answer(guid: shipment.items[0].message.guid)
                    _ = try await store.creditEntries(codes: [ShipmentFixture.ebpCode, ShipmentFixture.ebcCode])
                    // The delivery's reads of a message (one, a round's) and where it was routed.
                    #expect(try await store.message(guid: shipment.items[0].message.guid) != nil)
                    _ = try await store.messages(guids: shipment.items.map(\.message.guid), maxBytes: 1 << 20)
                    _ = try await store.messageHeader(guid: shipment.items[0].message.guid)
                    _ = try await store.routedDestinations(messageGuid: shipment.items[0].message.guid)
                    // Customs' real-time payment data: the newest order and payment of an order number.
                    #expect(try await store.declaration(kind: .order, orderNo: shipment.orderNo)?.kind == .order)
                    #expect(try await store.declaration(kind: .payment, orderNo: shipment.orderNo)?.kind == .payment)
                    // An inventory's match: its order (and the order's lines), payment and waybill.
                    let linked = try await store.linkedDocuments(for: [shipment.inventoryHead])[0]
                    #expect(linked.order?.lines.count == 2 && linked.payment != nil && linked.waybill != nil)
                    // A receipt's declaration (by the head guid it echoes), a declaration's status by guid,
                    // and the documents a release of a batch names (by their guids).
                    #expect(try await store.storeReceipts([receipt]).first?.declarationId != nil)
                    #expect(try await store.declarationStatus(declarationGuid: inventoryGuid) != nil)
                    let kept = try await store.documentRanges(
                        messageGuid: shipment.items.first { $0.declarations.contains { $0.kind == .inventory } }!.message.guid,
                        status: .awaitingDocuments, among: [inventoryGuid])
                    #expect(kept.documents.count == 1)
                }
                try await lookUps()
                return try await KeyLookupPlanTests.pagesPerCall(store, during: lookUps).filter { $0.value.calls > 0 }
                    .mapValues { ($0.query, $0.pages) }
            }

            let before = try await pagesOfLookUps()
            let partitions = "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'declarations'::regclass"
            let fewer = Int(try await store.rawQuery(partitions).first?.first??.description ?? "") ?? 0
            for n in 2..<22 { try await storeShipment(n) }
            let more = Int(try await store.rawQuery(partitions).first?.first??.description ?? "") ?? 0
            #expect(more >= fewer + 20, "\(fewer) → \(more) declarations partitions")
            let after = try await pagesOfLookUps()

            #expect(before.count >= 12 && Set(before.keys) == Set(after.keys),
                    "\(before.values.map(\.query).sorted()) against \(after.values.map(\.query).sorted())")
            for (id, (query, pages)) in after {
                // An index whose depth grows could add a page; a probe per partition adds twenty or more.
                #expect(pages <= (before[id]?.pages ?? 0) + 2, "\(before[id]?.pages ?? -1) → \(pages) pages a call: \(query)")
            }
        }
    }
}
