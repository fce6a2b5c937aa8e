import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// A release's moves, events and routes in one transaction (``SQLStore/advanceDocuments(_:)``), on both engines.
@Suite("Document advance")
struct DocumentAdvanceTests {
    /// `(kind, message id, declaration id)` of the events of message `id`, in order.
    static func events(_ store: SQLStore, message id: String) async throws -> [[String?]] {
        try await store.rawQuery("SELECT kind, message_id, declaration_id FROM events WHERE message_id = $1 ORDER BY id", [.text(id)])
    }

    @Test("a release's events name the document it moved and one stored before, its route's event follows them; an event naming no stored document records nothing",
          arguments: TestEngine.allCases)
    func eventsResolvedWithTheMove(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let shipment = ShipmentFixture(7)
            _ = try await store.ingest(shipment.items)
            func declaration(_ kind: DeclarationKind) throws -> DeclarationRecord {
                try #require(shipment.items.flatMap(\.declarations).first { $0.kind == kind })
            }
            let inventory = try declaration(.inventory), order = try declaration(.order)
            func id(_ d: DeclarationRecord) async throws -> String? {
                try await store.rawQuery("SELECT id FROM declarations WHERE declaration_guid = $1", [.text(d.declarationGuid)]).first?.first ?? nil
            }
            let messageId = try #require(try await store.rawQuery("SELECT id FROM messages WHERE guid = $1", [.text(inventory.messageGuid)])
                .first?.first ?? nil)
            let status = try #require(try await store.rawQuery(
                "SELECT status FROM declarations WHERE declaration_guid = $1", [.text(inventory.declarationGuid)]).first?.first ?? nil)
            let before = try await Self.events(store, message: messageId)
            let now = Date()

            // Unknown document named: nothing moves, nothing is recorded.
            await #expect(throws: StoreError.self) {
                _ = try await store.advanceDocuments(DocumentAdvance(
                    messageGuid: inventory.messageGuid, from: DeclarationStatus(status), moves: [(.declared, [inventory.declarationGuid])], rest: nil,
                    events: [Event(kind: .documentsMatched, occurredAt: now, messageGuid: inventory.messageGuid, declarationGuid: "NO-SUCH-DOCUMENT")],
                    routes: [OutboxRoute(destination: "customs")]))
            }
            #expect(try await Self.events(store, message: messageId) == before)
            #expect(try await store.rawQuery("SELECT COUNT(*) FROM outbox").first?.first == "0")

            let moved = try await store.advanceDocuments(DocumentAdvance(
                messageGuid: inventory.messageGuid, from: DeclarationStatus(status), moves: [(.declared, [inventory.declarationGuid])], rest: nil,
                events: [
                    Event(kind: .documentsMatched, occurredAt: now, messageGuid: inventory.messageGuid, declarationGuid: inventory.declarationGuid,
                          dedupKey: "matched:\(inventory.declarationGuid)"),
                    Event(kind: .validated, occurredAt: now, messageGuid: inventory.messageGuid, declarationGuid: order.declarationGuid),
                ],
                routes: [OutboxRoute(destination: "customs")]))
            #expect(moved == 1)
            let recorded = try await Self.events(store, message: messageId).dropFirst(before.count)
            #expect(Array(recorded) == [
                ["documents-matched", messageId, try await id(inventory)],
                ["validated", messageId, try await id(order)],
                ["routed", messageId, nil],
            ])
        }
    }
}
