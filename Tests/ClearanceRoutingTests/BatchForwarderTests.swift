import ClearanceTestSupport
import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import Foundation
import Testing

/// Batches stored by the streaming ingest, then forwarded through the flow as a whole.
/// Runs on SQLite and PostgreSQL.
@Suite struct BatchForwarderTests {
    let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")

    /// One CEB621 message carrying the inventories of `shipments` (their documents, one envelope).
    func ingest(_ text: String, into store: any ClearanceFlowStore) async throws -> IngestSummary {
        let path = scratchDirectory("batch") + "/batch.xml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try await BatchIngestor.ingest(path: path, store: store)
    }

    @Test(arguments: TestEngine.allCases)
    func batchWaitsForEveryShipmentThenGoesOnceWhole(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let forwarder = BatchForwarder(store: store, routing: { table })
            let shipments = (0..<3).map { SampleShipment.make(7100 + $0) }
            // Two shipments complete before the batch arrives, the third after.
            for s in shipments.prefix(2) { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
            let summary = try await ingest(SampleShipment.inventoryBatch(shipments), into: store)
            #expect(summary.declarationsInserted == 3)
            let guid = try #require(summary.messageGuid)

            let waiting = try await forwarder.forward(messageGuid: guid)
            guard case .awaiting(let missing) = waiting.status else { Issue.record("expected awaiting, got \(waiting.status)"); return }
            #expect(missing == ["\(shipments[2].copNo): order (CEB311), payment (CEB411), waybill (CEB511)"])
            #expect(try await store.trace(.guid(guid))?.deliveries.filter { $0.messageGuid == guid }.isEmpty == true)

            let last = shipments[2]
            _ = try await flow.accept(last.order)
            _ = try await flow.accept(last.waybill)
            let payment = try await flow.accept(last.payment)
            #expect(payment.released == [guid], "the last document releases the whole batch")
            let timeline = try #require(try await store.trace(.guid(guid)))
            let inventories = timeline.declarations.filter { $0.messageGuid == guid }
            #expect(inventories.count == 3)
            #expect(Set(inventories.map(\.status)) == ["declared"])
            #expect(timeline.deliveries.filter { $0.messageGuid == guid }.map(\.destination) == ["customs"])

            // Forwarding again changes nothing and queues nothing twice.
            _ = try await forwarder.forward(messageGuid: guid)
            #expect(try await store.trace(.guid(guid))?.deliveries.filter { $0.messageGuid == guid }.count == 1)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func refusedInventoryHoldsTheBatchBackFieldByField(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let shipments = [SampleShipment.make(7200), SampleShipment.make(7201) { text, kind in
                if kind == "payment" { text = text.replacingOccurrences(of: "<ceb:amountPaid>800.43</ceb:amountPaid>", with: "<ceb:amountPaid>799.43</ceb:amountPaid>") }
            }]
            for s in shipments { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
            let summary = try await ingest(SampleShipment.inventoryBatch(shipments), into: store)
            let guid = try #require(summary.messageGuid)
            let outcome = try await BatchForwarder(store: store, routing: { table }).forward(messageGuid: guid)
            #expect(outcome.status == .refused)
            #expect(outcome.issues.map(\.code) == ["MAT003"])
            #expect(outcome.issues.first?.field == "payment.amountPaid")
            let timeline = try #require(try await store.trace(.guid(guid)))
            #expect(Set(timeline.declarations.filter { $0.messageGuid == guid }.map(\.status)) == ["refused"])
            #expect(timeline.deliveries.filter { $0.messageGuid == guid }.isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func batchWithAnInvalidDocumentIsNotForwarded(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let shipments = [SampleShipment.make(7300), SampleShipment.make(7301)]
            for s in shipments { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
            // The second inventory's grossWeight is not a number: that document is not stored.
            var text = SampleShipment.inventoryBatch(shipments)
            let second = text.range(of: "<ceb:Inventory>", options: .backwards)!.lowerBound
            let weight = text.range(of: "<ceb:grossWeight>", range: second..<text.endIndex)!
            text.replaceSubrange(weight, with: "<ceb:grossWeight>heavy")
            let summary = try await ingest(text, into: store)
            #expect(summary.invalidDocuments == 1)
            let guid = try #require(summary.messageGuid)
            let outcome = try await BatchForwarder(store: store, routing: { table }).forward(messageGuid: guid)
            #expect(outcome.status == .invalid)
            #expect(outcome.issues.map(\.code) == ["BAT001"])
            let timeline = try #require(try await store.trace(.guid(guid)))
            #expect(timeline.deliveries.filter { $0.messageGuid == guid }.isEmpty)
            #expect(timeline.events.contains { $0.code == "BAT001" })
        }
    }
}
