import CEBModel
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// `declaration_keys.declaration_guid` (migration 83): the head guid beside each declaration's key,
/// which receipts, releases, events and the ops trace find a declaration by instead of probing a
/// guid index in every declarations partition (`FlatLookupTests` counts the pages). The writers
/// store it with the key, so these tests go through each of them.
@Suite("Declaration guids beside their keys")
struct DeclarationGuidsTests {
    /// Keys whose guid is not their declaration's (none expected), and the keys in all.
    static func mismatched(_ store: SQLStore) async throws -> (wrong: Int, keys: Int) {
        (try await store.count("declaration_keys k", where: """
            NOT EXISTS (SELECT 1 FROM declarations d WHERE d.id = k.declaration_id AND d.declaration_guid = k.declaration_guid)
            """), try await store.count("declaration_keys"))
    }

    @Test("every writer stores each declaration's guid with its key: row inserts, the bulk copy, its staging when keys exist",
          arguments: TestEngine.allCases)
    func everyWriterStoresTheGuid(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            // A few declarations: multi-row inserts (on PostgreSQL too).
            _ = try await store.ingest(shipments(0..<2).flatMap(\.items))
            #expect(try await Self.mismatched(store) == (0, 8))
            // More than a statement's rows: PostgreSQL copies them; then a chunk half stored already,
            // which PostgreSQL's copy refuses and its staging inserts row by row.
            _ = try await store.ingest(shipments(2..<40).flatMap(\.items))
            _ = try await store.ingest(shipments(30..<60).flatMap(\.items))
            #expect(try await Self.mismatched(store) == (0, 240))
            // A receipt finds its inventory by the guid it echoes.
            let shipment = ShipmentFixture(45)
            let (carrier, receipt) = shipment.inventoryReceipt(status: "120", time: "20261125100000000")
            _ = try await store.ingest([carrier])
            let inventoryId = try await store.rawQuery(
                "SELECT id FROM declarations WHERE kind = 'inventory' AND order_no = $1", [.text(shipment.orderNo)]).first?.first ?? nil
            #expect(try await store.storeReceipts([receipt]).first?.declarationId.map(String.init) == inventoryId)
        }
    }

    @Test("on SQLite, a release finds the declarations it names by guid, then by id: never through the message's index")
    func sqliteReleasePlans() async throws {
        let store = try await makeStore(.sqlite)
        try await withCleanup({ await store.close() }) {
            func plan(_ sql: String, _ params: [SQLValue]) async throws -> String {
                try await store.rawQuery("EXPLAIN QUERY PLAN " + sql, params).map { $0.compactMap { $0 }.joined(separator: " ") }
                    .joined(separator: "\n")
            }
            let kept = try await plan(SQLStore.keptRangesSQL(.sqlite, namedGuids: 2, withFrame: true),
                                      [.text("M-1"), .text(DeclarationStatus.awaitingDocuments.rawValue), .text("G-1"), .text("G-2")])
            #expect(kept.contains("declaration_keys_guid_idx") && !kept.contains("declarations_message_idx"), "\(kept)")
            let move = try await plan(SQLStore.moveDeclarationsSQL(namedIds: 2), [
                .text(DeclarationStatus.declared.rawValue), .integer(1), .text(DeclarationStatus.awaitingDocuments.rawValue), .integer(1), .integer(2),
            ])
            #expect(move.contains("INTEGER PRIMARY KEY") && !move.contains("declarations_message_idx"), "\(move)")
        }
    }

    @Test("the migration writes the guids of the declarations already stored", arguments: TestEngine.allCases)
    func migrationWritesThoseStored(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine, migratedThrough: 82)
        try await withCleanup({ await store.close() }) {
            for shipment in shipments(0..<2) { try await store.ingestBeforeGuidKeys(shipment.items) }
            #expect(try await store.migrate() == [83, 84])
            #expect(try await Self.mismatched(store) == (0, 8))
            #expect(try await store.declarationStatus(declarationGuid: ShipmentFixture.guid("IHEAD", 1)) != nil)
        }
    }
}
