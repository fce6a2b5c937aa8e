import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceRouting

/// Releases of one waiting message asked for at once run once, and again for what came meanwhile.
@Suite struct ReleaseCoalescerTests {
    @Test("the first caller runs; callers meanwhile join, and their inventories come back to it once")
    func joinsAndRunsAgain() {
        let releases = ReleaseCoalescer()
        #expect(releases.begin("M", ["a"]))
        #expect(!releases.begin("M", ["b"]))
        #expect(!releases.begin("M", ["c", "b"]))
        #expect(releases.begin("N", ["x"]), "another message runs on its own")
        #expect(releases.end("M") == ["b", "c"])
        #expect(!releases.begin("M", ["d"]), "still running its second round")
        #expect(releases.end("M") == ["d"])
        #expect(releases.end("M") == nil)
        #expect(releases.begin("M", ["e"]), "over: the next caller runs")
        #expect(releases.end("M") == nil && releases.end("N") == nil)
    }

    /// A shipment's four messages accepted at once, for many shipments: every inventory goes to
    /// customs exactly once and none is left waiting, whichever document came last.
    @Test(arguments: TestEngine.allCases)
    func concurrentArrivalsReleaseEachInventoryOnce(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")
            let flow = ClearanceFlow(store: store, routing: { table })
            let shipments = (0..<16).map { SampleShipment.make(7600 + $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, s) in shipments.enumerated() {
                    // Each shipment in its own order: sometimes the inventory comes first, sometimes last.
                    let parts = [s.inventory, s.order, s.payment, s.waybill]
                    for k in 0..<4 {
                        let part = parts[(k + n) % 4]
                        group.addTask { _ = try await flow.accept(part) }
                    }
                }
                try await group.waitForAll()
            }
            for s in shipments {
                let timeline = try #require(try await store.trace(.orderNo(s.orderNo)))
                let inventory = try #require(timeline.declarations.first { $0.kind == .inventory })
                #expect(inventory.status == DeclarationStatus.declared.rawValue, "\(s.copNo): \(inventory.status)")
                #expect(timeline.deliveries.filter { $0.messageGuid == inventory.messageGuid }.count == 1, "\(s.copNo)")
            }
        }
    }
}
