import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// A CEB607 consolidated waybill accepted by the flow (a single message: `POST /v1/messages`, `submit`)
/// is linked to the export inventories it names, as an ingested one is, on both stores.
@Suite struct ManifestLinkFlowTests {
    @Test("a CEB607 through the flow puts consolidated on the inventories it names and counts the others", arguments: TestEngine.allCases)
    func flowLinksManifest(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        // Routed or not (no rule here names export messages), a stored manifest is linked.
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")
        let flow = ClearanceFlow(store: store, routing: { table })
        // The official export inventory sample, carrying the invtNo the manifest's second line names.
        var inventory = String(decoding: try Repository.sample("CEB603-export-inventory.xml"), as: UTF8.self)
        inventory = inventory.replacingOccurrences(of: "<ceb:copNo>DHQD202611260088</ceb:copNo>",
                                                   with: "<ceb:copNo>DHQD202611260088</ceb:copNo><ceb:invtNo>35012026E000004570</ceb:invtNo>")
        let stored = try await flow.accept(Array(inventory.utf8))
        #expect(stored.issues.isEmpty, "\(stored.issues)")
        #expect(try await store.trace(.invtNo("35012026E000004570"))?.events.contains { $0.kind == .consolidated } == false)

        let manifest = try await flow.accept(try Repository.sample("CEB607-waybill.xml"))
        #expect(manifest.issues.isEmpty, "\(manifest.issues)")
        let timeline = try #require(try await store.trace(.invtNo("35012026E000004570")))
        let linked = try #require(timeline.events.first { $0.kind == .consolidated })
        #expect(linked.detail == "consolidated waybill billNo MWHX2611260003 (copNo MWZF202611260001), parcel MWX2026112500091")
        #expect(timeline.declarations.first { $0.id == linked.declarationId }?.kind == .exportInventory)
        let onManifest = try #require(try await store.trace(.guid(manifest.guid))?.events.first { $0.kind == .manifestLinked })
        #expect(onManifest.detail == "1 of 3 parcels linked to stored export inventories; 2 name inventories not stored (e.g. 35012026E000004567, 35012026E000004573); 1 name an inventory of another waybill (logisticsNo)",
                "the sample's inventory is parcel MWX2026112500088, the manifest line names MWX2026112500091")

        // The same message again is a duplicate: nothing is linked twice.
        _ = try await flow.accept(try Repository.sample("CEB607-waybill.xml"))
        #expect(try await store.trace(.invtNo("35012026E000004570"))?.events.filter { $0.kind == .consolidated }.count == 1)
        await store.close()
    }
}
