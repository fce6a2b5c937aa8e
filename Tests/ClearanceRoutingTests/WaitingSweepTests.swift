import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// The sweep that releases waiting inventories whose documents are all stored but whose release
/// never ran (a process stopped between the last document's commit and the release it triggers).
/// Both engines.
@Suite struct WaitingSweepTests {
    let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")

    /// Stores a message as ingest does, without routing it or releasing anything (what a process
    /// that stopped right after the commit leaves behind).
    func storeOnly(_ bytes: [UInt8], _ store: any ClearanceFlowStore) async throws {
        let path = scratchDirectory("sweep") + "/message.xml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try await BatchIngestor.ingest(path: path, store: store).messageGuid != nil)
    }

    @Test(arguments: TestEngine.allCases)
    func aReleaseThatNeverRanIsMadeByTheSweepOnce(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let forwarder = BatchForwarder(store: store, routing: { table })
            let complete = SampleShipment.make(7560)
            let incomplete = SampleShipment.make(7561)
            let (first, second) = (try await flow.accept(complete.inventory), try await flow.accept(incomplete.inventory))
            guard case .awaiting = first.status, case .awaiting = second.status else { Issue.record("both wait"); return }
            // The first shipment's documents are all stored, the second lacks its waybill; none released anything.
            for part in [complete.order, complete.payment, complete.waybill, incomplete.order, incomplete.payment] {
                try await storeOnly(part, store)
            }
            #expect(try await store.declarationGuids(messageGuid: first.guid, status: .awaitingDocuments).count == 1)

            let sweep = await forwarder.releaseCompleted(pageSize: 1)
            #expect(sweep.candidates == 1 && sweep.released == [first.guid])
            #expect(sweep.mark > 0)
            #expect(try await store.declarationGuids(messageGuid: first.guid, status: .awaitingDocuments).isEmpty)
            #expect(try await store.declarationGuids(messageGuid: second.guid, status: .awaitingDocuments).count == 1)
            let rows = try #require(try await store.trace(.guid(first.guid))).deliveries.filter { $0.messageGuid == first.guid }
            #expect(rows.count == 1)
            #expect(await forwarder.releaseCompleted().candidates == 0, "nothing twice")
            #expect(try #require(try await store.trace(.guid(first.guid))).deliveries.filter { $0.messageGuid == first.guid }.count == 1)
        }
    }

    /// Pages walk on by id: an inventory that stays waiting (its documents came from parties it
    /// does not name) does not stop the sweep from reaching the ones after it.
    @Test(arguments: TestEngine.allCases)
    func inventoriesThatStayWaitingDoNotBlockThoseAfterThem(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let shipments = (0..<3).map { SampleShipment.make(7570 + $0) }
            var guids: [String] = []
            for s in shipments { guids.append(try await flow.accept(s.inventory).guid) }
            // The first shipment's payment is sent by the e-commerce enterprise: stored, but the match
            // takes a payment only from its payment company or the agent, so that inventory stays waiting.
            let stranger = SampleShipment.make(7570) { text, kind in
                if kind == "payment" {
                    text = text.replacingOccurrences(of: "<ceb:copCode>91350102MA31C9UE4Q</ceb:copCode>", with: "<ceb:copCode>91350100MA2YH3LK7J</ceb:copCode>")
                }
            }
            for (i, s) in shipments.enumerated() {
                for part in [s.order, i == 0 ? stranger.payment : s.payment, s.waybill] { try await storeOnly(part, store) }
            }
            let forwarder = BatchForwarder(store: store, routing: { table })
            let sweep = await forwarder.releaseCompleted(pageSize: 1)
            #expect(sweep.candidates == 3)
            #expect(sweep.released.sorted() == guids.dropFirst().sorted())
            #expect(try await store.declarationGuids(messageGuid: guids[0], status: .awaitingDocuments).count == 1)

            // A sweep from the mark does not look at it again; its payment from the right party,
            // arriving without a release (stored only), makes it new, and that sweep releases it.
            #expect(await forwarder.releaseCompleted(touchedAfter: sweep.mark).candidates == 0)
            #expect(await forwarder.releaseCompleted().candidates == 1, "without the mark it is looked at again")
            try await storeOnly(shipments[0].payment, store)
            let late = await forwarder.releaseCompleted(touchedAfter: sweep.mark)
            #expect(late.candidates == 1 && late.released == [guids[0]])
            #expect(late.mark > sweep.mark)
        }
    }
}
