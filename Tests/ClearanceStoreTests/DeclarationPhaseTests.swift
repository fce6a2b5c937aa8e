import ClearanceRules
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The life-cycle look-up (``SQLStore/declarationPhase(kind:businessKey:senderCode:)``), which every
/// declaration of a single message asks: the newest stored declaration with that business key, its
/// revisions and the parts of a split one included, found through `declaration_keys` — on PostgreSQL
/// across declarations partitions, reading only the partition that holds what it finds.
@Suite("Life-cycle look-up")
struct DeclarationPhaseTests {
    static let sender = ShipmentFixture.ebpCode

    /// One message holding `declarations`, received `offset` seconds after the fixtures' base time.
    static func item(_ tag: String, _ declarations: [DeclarationRecord], offset: Double) -> IngestItem {
        let guid = ShipmentFixture.guid(tag, Int(offset))
        return IngestItem(
            message: MessageRecord(guid: guid, messageType: "CEB311", senderCode: sender, direction: .inbound,
                                   receivedAt: ShipmentFixture.base.addingTimeInterval(offset), rawBytes: Array("<m/>".utf8),
                                   signatureVerdict: "valid"),
            declarations: declarations.map { var d = $0; d.messageGuid = guid; return d })
    }

    static func order(_ orderNo: String, guid: String, appType: String = "1") -> DeclarationRecord {
        DeclarationRecord(kind: .order, messageGuid: "", declarationGuid: guid, appType: appType, orderNo: orderNo,
                          ebpCode: sender, ebcCode: ShipmentFixture.ebcCode)
    }

    static func part(_ copNo: String, _ part: Int, guid: String) -> DeclarationRecord {
        var d = DeclarationRecord(kind: .inventory, messageGuid: "", declarationGuid: guid, appType: "1", orderNo: "O-\(guid)",
                                  copNo: copNo, ebpCode: sender, ebcCode: ShipmentFixture.ebcCode)
        d.partNo = part
        return d
    }

    @Test("the newest of a key, its revisions and a split declaration's parts; a longer key that starts with it, or another sender's, is not it",
          arguments: TestEngine.allCases)
    func newestOfAKey(_ engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let stored: [IngestItem] = [
                Self.item("ORDER", [Self.order("K100", guid: "G-FIRST")], offset: 1),
                Self.item("LONGER", [Self.order("K1000", guid: "G-LONGER")], offset: 2),
                Self.item("REVISE", [Self.order("K100", guid: "G-REVISED", appType: "2")], offset: 3),
                Self.item("PARTS", [Self.part("C7", 1, guid: "G-PART1"), Self.part("C7", 2, guid: "G-PART2")], offset: 4),
            ]
            if engine == .postgresql {
                // Plans are cached on small, analysed tables; rows loaded later stay out of the statistics.
                try await store.rawExecute("\(KeyLookupPlanTests.autovacuumOff) ALTER TABLE declaration_keys SET (autovacuum_enabled = false);")
            }
            for item in stored {
                // On PostgreSQL each message's declarations land in a partition of their own.
                if engine == .postgresql { _ = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 2), now: .now) }
                _ = try await store.ingest([item])
            }
            func newest(_ kind: String, _ key: String, sender: String = Self.sender) async throws -> String? {
                try await store.declarationPhase(kind: kind, businessKey: key, senderCode: sender).declarationGuid
            }
            #expect(try await newest("order", "K100") == "G-REVISED")
            #expect(try await newest("order", "K1000") == "G-LONGER")
            #expect(try await newest("order", "K10") == nil)
            #expect(try await newest("order", "K100", sender: "3501960099") == nil)
            #expect(try await newest("payment", "K100") == nil)
            #expect(try await newest("inventory", "C7") == "G-PART2")
            #expect(try await store.declarationPhase(kind: "order", businessKey: "K100", senderCode: Self.sender).phase != DeclarationPhase.none)

            guard engine == .postgresql else { return }
            // 20,000 more orders of the same sender, unanalysed: the plan cached above, made on a few rows,
            // must still probe the key's three ranges, not walk every key of the sender.
            try await store.rawExecute("""
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, order_no, status, created_at)
                SELECT nextval('declaration_keys_declaration_id_seq'), 'order', (SELECT MIN(id) FROM messages), 'G-BULK' || n,
                       '\(Self.sender)', 'K100' || n, 'K100' || n, 'received', 0
                FROM generate_series(1, 20000) n;
                \(KeyLookupPlanTests.keysOfLoadedDeclarations)
                """)
            #expect(try await newest("order", "K100") == "G-REVISED")
            #expect(try await newest("order", "K10020000") == "G-BULK20000")
            let partitions = try await store.rawQuery("""
                SELECT count(*) FROM pg_inherits i JOIN store_partitions p ON p.name = i.inhrelid::regclass::text
                WHERE i.inhparent = 'declarations'::regclass
                """).first?.first ?? nil
            #expect(Int(partitions ?? "0") ?? 0 >= 4, "declarations partitions: \(partitions ?? "none")")
            // The cached plan, run for "K100": its declarations are read by primary key, in the
            // partitions holding them, and no number index of any partition is probed.
            let plan = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> String in
                guard let name = try s.queryOne(
                    "SELECT name FROM pg_prepared_statements WHERE statement LIKE $1 AND statement LIKE $2 AND generic_plans > 0",
                    [.text("%FROM declaration_keys%"), .text("%) newest%")])?.string(0) else { return "no cached plan" }
                let arguments = ["order", "K100", "K100|", Self.sender, "K100}", "K100#", "K100$"].map { "'\($0)'" }
                return try s.lookup("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE \(name)(\(arguments.joined(separator: ", ")))", [])
                    .compactMap { $0.string(0) }.joined(separator: "\n")
            }
            let readByKey = try await KeyLookupPlanTests.byParentIndex(plan, store)
            #expect(readByKey.contains("declaration_keys_pkey"), "\(plan)")
            let partitionScans = readByKey.split(separator: "\n").filter { $0.contains(" on declarations") && !$0.contains("never executed") }
            #expect(!partitionScans.isEmpty && partitionScans.allSatisfy { $0.contains("using declarations_pkey") }, "\(plan)")
            #expect(partitionScans.count <= 2, "read two declarations (the key and its revision), each in its own partition:\n\(plan)")
            // A walk of the sender's 20,000 keys reads hundreds of pages.
            #expect(KeyLookupPlanTests.pages(plan.split(separator: "\n")) < 40, "\(plan)")
        }
    }
}
