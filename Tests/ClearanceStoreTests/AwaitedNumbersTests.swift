import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// `awaited_numbers` (migration 81): the order and logistics numbers of the inventories waiting for
/// their documents now, which every single message's look-up reads instead of probing every
/// declarations partition. Triggers on `declarations` keep it, so these tests move statuses with
/// plain SQL, as any write path might.
@Suite("Numbers waiting inventories wait for")
struct AwaitedNumbersTests {
    /// The waiting inventories `store`'s look-up finds for an order number and a logistics number.
    static func found(_ store: SQLStore, order: String? = nil, logistics: String? = nil) async throws -> [String: Set<String>] {
        try await store.awaitingInventories(orderNo: order, logisticsNo: logistics)
    }

    static func setInventoryStatus(_ store: SQLStore, _ status: String) async throws {
        try await store.rawExecute("UPDATE declarations SET status = '\(status)' WHERE kind = 'inventory'")
    }

    @Test("an inventory's numbers are there exactly while it waits, whatever statement moves it; each number is found only as its own kind",
          arguments: TestEngine.allCases)
    func followsTheStatus(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let shipment = ShipmentFixture(0)
            _ = try await store.ingest(shipment.items)
            let inventory = try #require(shipment.items.last?.message.guid)
            let waiting = [inventory: Set(try #require(shipment.items.last?.declarations.map(\.declarationGuid)))]
            #expect(try await store.count("awaited_numbers") == 0, "stored, not waiting")

            try await Self.setInventoryStatus(store, DeclarationStatus.awaitingDocuments.rawValue)
            #expect(try await store.count("awaited_numbers") == 2)
            #expect(try await Self.found(store, order: shipment.orderNo) == waiting)
            #expect(try await Self.found(store, logistics: shipment.logisticsNo) == waiting)
            #expect(try await Self.found(store, order: shipment.logisticsNo, logistics: shipment.orderNo).isEmpty,
                    "each number only as the kind the inventory names it")
            // Another column changes while it waits: still one row a number.
            try await store.rawExecute("UPDATE declarations SET buyer_name = 'x' WHERE kind = 'inventory'")
            #expect(try await store.count("awaited_numbers") == 2)

            try await Self.setInventoryStatus(store, DeclarationStatus.declared.rawValue)
            #expect(try await store.count("awaited_numbers") == 0)
            #expect(try await Self.found(store, order: shipment.orderNo).isEmpty)

            try await Self.setInventoryStatus(store, DeclarationStatus.awaitingDocuments.rawValue)
            #expect(try await Self.found(store, order: shipment.orderNo) == waiting)
            // An order in that status is not an inventory waiting.
            try await store.rawExecute("UPDATE declarations SET status = '\(DeclarationStatus.awaitingDocuments)' WHERE kind = 'order'")
            #expect(try await store.count("awaited_numbers") == 2)
            try await store.rawExecute("""
                DELETE FROM declaration_lines WHERE declaration_id IN (SELECT id FROM declarations WHERE kind = 'inventory');
                DELETE FROM declarations WHERE kind = 'inventory';
                """)
            #expect(try await store.count("awaited_numbers") == 0)
        }
    }

    @Test("a waiting inventory that maintenance moves out of the default partition keeps its numbers")
    func movedOutOfTheDefaultPartition() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let shipment = ShipmentFixture(0)
            _ = try await store.ingest(shipment.items)
            try await Self.setInventoryStatus(store, DeclarationStatus.awaitingDocuments.rawValue)
            let partition = "SELECT tableoid::regclass::text FROM declarations WHERE kind = 'inventory'"
            #expect(try await store.rawQuery(partition) == [["declarations_default"]])

            let report = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 2), now: .now)
            #expect(report.rowsMoved > 0)
            #expect(try await store.rawQuery(partition) != [["declarations_default"]])
            let inventory = try #require(shipment.items.last)
            #expect(try await Self.found(store, order: shipment.orderNo) == [inventory.message.guid: Set(inventory.declarations.map(\.declarationGuid))])
            #expect(try await store.count("awaited_numbers") == 2)
            // The moved row's trigger still follows it.
            try await Self.setInventoryStatus(store, DeclarationStatus.declared.rawValue)
            #expect(try await store.count("awaited_numbers") == 0)
        }
    }

    @Test("the migration records the numbers of the inventories already waiting", arguments: TestEngine.allCases)
    func migrationRecordsThoseWaiting(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine, migratedThrough: 80)
        try await withCleanup({ await store.close() }) {
            let shipments = [ShipmentFixture(0), ShipmentFixture(1)]
            for shipment in shipments { try await store.ingestBeforeGuidKeys(shipment.items) }
            try await store.rawExecute("""
                UPDATE declarations SET status = '\(DeclarationStatus.awaitingDocuments)' WHERE kind = 'inventory' AND order_no = '\(shipments[1].orderNo)'
                """)
            #expect(try await store.migrate() == [81, 82, 83, 84])
            #expect(try await store.count("awaited_numbers") == 2)
            let inventory = try #require(shipments[1].items.last)
            #expect(try await Self.found(store, order: shipments[1].orderNo, logistics: shipments[1].logisticsNo)
                    == [inventory.message.guid: Set(inventory.declarations.map(\.declarationGuid))])
            #expect(try await Self.found(store, order: shipments[0].orderNo).isEmpty)
        }
    }
}
