import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import Foundation
import Testing

/// An inventory judged while the documents it misses are being stored waits for their commit and is
/// judged again (``DocumentsInFlight``), instead of being stored waiting and released afterwards.
@Suite struct DocumentsInFlightTests {
    let order = DocumentsInFlight.Key(.orderNo, "PT1")

    /// Until `documents` has a waiter, for at most ten seconds (a machine however slow).
    static func untilWaiting(_ documents: DocumentsInFlight) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while documents.waiting == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(documents.waiting == 1)
    }

    @Test("nothing being stored: no wait; being stored: woken when the last storer ends; a storer that never ends: the patience runs out")
    func waitsOnlyForWhatIsBeingStored() async throws {
        let documents = DocumentsInFlight()
        #expect(await documents.settled([order], patience: .seconds(60)) == false)

        documents.begin([order])
        documents.begin([order, .init(.logisticsNo, "LP1")])
        let waiter = Task { await documents.settled([order], patience: .seconds(60)) }
        try await Self.untilWaiting(documents)
        documents.end([order, .init(.logisticsNo, "LP1")])
        #expect(documents.waiting == 1, "one of the order's two storers is still at it")
        documents.end([order])
        #expect(await waiter.value == true)
        #expect(documents.waiting == 0)

        documents.begin([order])
        #expect(await documents.settled([order], patience: .milliseconds(50)) == false)
        #expect(documents.waiting == 0)
        documents.end([order])
    }

    @Test("an inventory whose order is being stored waits for it and goes at once: never stored waiting, nothing to release", arguments: TestEngine.allCases)
    func inventoryWaitsForItsOrderBeingStored(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")
            let documents = DocumentsInFlight()
            // Patience enough for a machine however loaded: the test ends the order's storing itself.
            let flow = ClearanceFlow(store: store, routing: { table }, documentsInFlight: documents, inFlightPatience: .seconds(600))
            let s = SampleShipment.make(1)
            #expect(try await flow.accept(s.payment).status == .routed(["customs"]))
            #expect(try await flow.accept(s.waybill).status == .routed(["customs"]))
            // The order is being stored (as another request of this process would be) while the inventory is judged.
            let key = DocumentsInFlight.Key(.orderNo, s.orderNo)
            documents.begin([key])
            let inventory = Task { try await flow.accept(s.inventory) }
            try await Self.untilWaiting(documents)
            #expect(try await flow.accept(s.order).status == .routed(["customs"]))
            documents.end([key])
            let outcome = try await inventory.value
            #expect(outcome.status == .routed(["customs"]))
            let timeline = try #require(try await store.trace(.orderNo(s.orderNo)))
            let kinds = timeline.events.map(\.kind.rawValue)
            #expect(!kinds.contains("awaiting-documents") && kinds.contains("documents-matched"), "\(kinds)")
            #expect(timeline.declarations.first { $0.kind == .inventory }?.status == "declared")
            #expect(timeline.deliveries.count == 4)
        }
    }
}
