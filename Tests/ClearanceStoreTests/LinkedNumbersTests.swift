import CEBModel
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// `linked_numbers` (migration 82): the number each order, payment and waybill is linked by, which
/// an inventory's match and the sweep of waiting inventories read instead of probing a number's
/// index in every declarations partition. Triggers on `declarations` keep it, so these tests also
/// write with plain SQL, as any write path might.
@Suite("Numbers documents are linked by")
struct LinkedNumbersTests {
    /// `linked_numbers` as (number, kind) pairs, sorted.
    static func rows(_ store: SQLStore) async throws -> [String] {
        try await store.rawQuery("SELECT number, kind FROM linked_numbers ORDER BY number, kind").map { "\($0[0] ?? "nil") \($0[1] ?? "nil")" }
    }

    /// The linked documents the match finds for `shipment`'s inventory: which of order, payment, waybill.
    static func found(_ store: SQLStore, _ shipment: ShipmentFixture) async throws -> [Bool] {
        let linked = try await store.linkedDocuments(for: [shipment.inventoryHead])[0]
        return [linked.order != nil, linked.payment != nil, linked.waybill != nil]
    }

    @Test("each order, payment and waybill is linked by its number from the moment it is stored, whatever statement writes or removes it",
          arguments: TestEngine.allCases)
    func followsTheDocuments(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let shipment = ShipmentFixture(0)
            _ = try await store.ingest(shipment.items)
            #expect(try await Self.rows(store) == [
                "\(shipment.logisticsNo) logistics", "\(shipment.orderNo) order", "\(shipment.orderNo) payment",
            ], "the inventory itself is linked by nothing")
            #expect(try await Self.found(store, shipment) == [true, true, true])
            let order = try #require(try await store.linkedDocuments(for: [shipment.inventoryHead])[0].order)
            #expect(order.head.orderNo == shipment.orderNo && order.lines.count == 2 && order.head.buyerIdNumber == shipment.buyerId)

            // A status change leaves the numbers; a refused document is still not counted.
            try await store.rawExecute("UPDATE declarations SET status = '\(DeclarationStatus.refused)' WHERE kind = 'payment'")
            #expect(try await Self.rows(store).count == 3)
            #expect(try await Self.found(store, shipment) == [true, false, true])
            // A number changed by hand moves its row.
            try await store.rawExecute("UPDATE declarations SET logistics_no = 'LP-moved' WHERE kind = 'logistics'")
            let moved = try await Self.rows(store)
            #expect(moved.contains("LP-moved logistics") && !moved.contains("\(shipment.logisticsNo) logistics"))
            #expect(try await Self.found(store, shipment) == [true, false, false])
            // Removed with the document.
            try await store.rawExecute("""
                DELETE FROM declaration_lines WHERE declaration_id IN (SELECT id FROM declarations WHERE kind = 'order');
                DELETE FROM declarations WHERE kind = 'order';
                """)
            #expect(try await Self.rows(store) == ["LP-moved logistics", "\(shipment.orderNo) payment"])
            #expect(try await Self.found(store, shipment) == [false, false, false])
            // A document written straight into the table is linked as well.
            let message = try #require(try await store.rawQuery("SELECT MIN(id) FROM messages").first?.first ?? nil)
            try await store.rawExecute("""
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, order_no, status, created_at)
                VALUES (1000, 'export-order', \(message), 'G-X', 'S', 'K', 'EXP-1', 'received', 0);
                """)
            #expect(try await Self.rows(store).contains("EXP-1 export-order"))
        }
    }

    @Test("a document that maintenance moves out of the default partition stays linked")
    func movedOutOfTheDefaultPartition() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let shipment = ShipmentFixture(0)
            _ = try await store.ingest(shipment.items)
            let partition = "SELECT DISTINCT tableoid::regclass::text FROM declarations"
            #expect(try await store.rawQuery(partition) == [["declarations_default"]])
            let report = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 2), now: .now)
            #expect(report.rowsMoved > 0)
            #expect(try await store.rawQuery(partition) != [["declarations_default"]])
            #expect(try await Self.rows(store).count == 3)
            #expect(try await Self.found(store, shipment) == [true, true, true])
            // The moved rows' triggers still follow them.
            try await store.rawExecute("UPDATE declarations SET order_no = 'ORD-moved' WHERE kind = 'payment'")
            #expect(try await Self.rows(store).contains("ORD-moved payment"))
        }
    }

    @Test("the migration links the documents already stored", arguments: TestEngine.allCases)
    func migrationLinksThoseStored(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine, migratedThrough: 81)
        try await withCleanup({ await store.close() }) {
            let shipments = [ShipmentFixture(0), ShipmentFixture(1)]
            for shipment in shipments { try await store.ingestBeforeGuidKeys(shipment.items) }
            #expect(try await store.migrate() == [82, 83, 84])
            #expect(try await store.count("linked_numbers") == 6)
            for shipment in shipments { #expect(try await Self.found(store, shipment) == [true, true, true]) }
        }
    }
}
