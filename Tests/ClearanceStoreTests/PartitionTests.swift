import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Raw message parts and declaration lines are partitioned by their parent's id on PostgreSQL
/// (``PartitionMigrations``); maintenance makes partitions ahead, moves what the default partition
/// took, and detaches what retention allows.
@Suite("Partitions on PostgreSQL")
struct PartitionTests {
    static let now = Date()

    /// Streams a message of `pieces` raw parts (1 KiB each) with `declarations` fixture inventories.
    @discardableResult
    static func streamed(_ store: SQLStore, _ n: Int, pieces: Int, declarations: Range<Int>) async throws -> (guid: String, raw: [UInt8]) {
        let guid = ShipmentFixture.guid("PART\(n)", n)
        let raw = StreamedMessageTests.rawBytes(pieces * 1_024)
        let parts = StreamedMessageTests.parts(raw, size: 1_024)
        _ = try await store.beginStreamedMessage(StreamedMessageTests.header(guid))
        _ = try await store.ingestStreamedChunk(StreamedChunk(
            messageGuid: guid, senderCode: StreamedMessageTests.sender, parts: parts,
            declarations: StreamedMessageTests.declarations(declarations, guid: guid)))
        _ = try await store.finishStreamedMessage(guid: guid, sha256: SHA256Digest.hex(of: raw), size: Int64(raw.count), partCount: parts.count)
        return (guid, raw)
    }

    /// Rows of `table` by the partition holding them.
    static func rowsByPartition(_ store: SQLStore, _ table: String) async throws -> [String: Int] {
        var rows: [String: Int] = [:]
        for row in try await store.rawQuery("SELECT tableoid::regclass::text, COUNT(*) FROM \(table) GROUP BY 1", []) {
            rows[row[0] ?? "?"] = Int(row[1] ?? "") ?? -1
        }
        return rows
    }

    @Test("rows land in the partitions made ahead; what the default took moves into the partition made for it; a look-up reads one partition")
    func aheadAndDefault() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let first = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 4), now: Self.now)
            #expect(first.created.map(\.name) == ["message_parts_1", "declaration_lines_1"])
            #expect(first.created.map(\.high) == [5, 5])
            // Nothing more to make while the newest ids stay where they are.
            #expect(try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 4), now: Self.now).created.isEmpty)

            let a = try await Self.streamed(store, 1, pieces: 3, declarations: 0..<3)   // message 1, declarations 1–3
            let b = try await Self.streamed(store, 2, pieces: 2, declarations: 3..<12)  // message 2, declarations 4–12
            #expect(try await Self.rowsByPartition(store, "message_parts") == ["message_parts_1": 5])
            #expect(try await Self.rowsByPartition(store, "declaration_lines")
                    == ["declaration_lines_1": 8, "declaration_lines_default": 16])

            let second = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 4), now: Self.now)
            let lines = try #require(second.created.first { $0.table == .declarationLines })
            #expect(lines.name == "declaration_lines_5" && lines.high >= 13, "the first new partition covers the default's rows")
            #expect(second.rowsMoved == 16)
            #expect(try await Self.rowsByPartition(store, "declaration_lines")["declaration_lines_default"] == nil)
            #expect(try await store.count("declaration_lines") == 24)
            #expect(second.partitions.filter { $0.table == .declarationLines }.map(\.low) == [0, 1] + second.created.filter { $0.table == .declarationLines }.map(\.low))
            #expect(try await store.message(guid: a.guid)?.rawBytes == a.raw)
            #expect(try await store.message(guid: b.guid)?.rawBytes == b.raw)

            // The cached (generic) plan of a piece's look-up prunes to the one partition holding it.
            let plan = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> String in
                let sql = "SELECT bytes FROM message_parts WHERE message_id = $1 AND part_no = $2"
                for _ in 0..<2 { _ = try s.lookup(sql, [.integer(1), .integer(0)]) }
                guard let name = try s.queryOne("SELECT name FROM pg_prepared_statements WHERE statement = $1 AND generic_plans > 0",
                                                [.text(sql)])?.string(0) else { return "no generic plan" }
                return try s.lookup("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE \(name)(1, 0)", [])
                    .compactMap { $0.string(0) }.joined(separator: "\n")
            }
            #expect(plan.contains("message_parts_1_pkey") && plan.contains("Subplans Removed"), "\(plan)")
            #expect(!plan.contains("message_parts_default") && !plan.contains("message_parts_0"), "\(plan)")
        }
    }

    @Test("retention detaches partitions past it with nothing in flight, keeps one with a delivery pending, and reads of archived bytes say so")
    func retention() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            _ = try await store.maintainPartitions(policy, now: Self.now)
            let old = try await Self.streamed(store, 1, pieces: 3, declarations: 0..<1)   // message 1
            _ = try await Self.streamed(store, 2, pieces: 2, declarations: 1..<2)         // message 2
            let recent = try await Self.streamed(store, 3, pieces: 2, declarations: 2..<3) // message 3
            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-90 * 86_400))
            try await store.rawExecute("""
                UPDATE messages SET received_at = \(longAgo) WHERE id < 3;
                UPDATE declarations SET created_at = \(longAgo) WHERE id < 3;
                INSERT INTO outbox (message_id, destination, next_attempt_at, created_at, updated_at) VALUES (2, 'customs', 0, 0, 0);
                """)

            let first = try await store.maintainPartitions(policy, now: Self.now)
            #expect(first.detached.map(\.name) == ["declaration_lines_1"])
            #expect(first.kept.map(\.partition.name) == ["message_parts_1"])
            #expect(first.kept.map(\.hold) == [.deliveriesPending])
            // Not past retention (message 3 is recent) or still filling: neither kept nor detached.
            #expect(!(first.detached + first.kept.map(\.partition)).contains { $0.low >= 3 })

            try await store.rawExecute("UPDATE outbox SET status = 'delivered' WHERE message_id = 2")
            let second = try await store.maintainPartitions(policy, now: Self.now)
            #expect(second.detached.map(\.name) == ["message_parts_1"])
            #expect(second.partitions.first { $0.name == "message_parts_1" }?.detachedAt != nil)

            // The detached table keeps its rows for archiving; the live table no longer has them.
            #expect(try await store.count("message_parts_1") == 5)
            #expect(try await store.count("message_parts", where: "message_id = 1") == 0)
            do {
                _ = try await store.message(guid: old.guid)
                Issue.record("an archived message was read as if whole")
            } catch let error as StoreError {
                guard case .archived(let what) = error else { Issue.record("expected archived, got \(error)"); return }
                #expect(what.contains("message_parts_1") && what.contains(old.guid))
            }
            // The head stays, and still counts a piece beyond the first, whose read says archived.
            #expect(try await store.messageHeader(guid: old.guid)?.pieces == 2)
            do {
                _ = try await store.rawPiece(guid: old.guid, index: 1)
                Issue.record("an archived piece was read")
            } catch let error as StoreError {
                guard case .archived = error else { Issue.record("expected archived, got \(error)"); return }
            }
            #expect(try await store.message(guid: recent.guid)?.rawBytes == recent.raw)
        }
    }

    @Test("rows stored before the migration become the first partitions, still readable; later ones go to the partitions made after")
    func migrationKeepsRows() async throws {
        let opened = try await openStore(url: try freshURL(.postgresql), options: StoreOptions(buyerIdSalt: testSalt, migrateOnOpen: false))
        let store = try #require(opened as? SQLStore)
        try await withCleanup({ await store.close() }) {
            _ = try await store.session { (s: any SQLSession) throws(StoreError) -> [Int] in try Migrator.run(s, through: 60) }
            let before = try await Self.streamed(store, 1, pieces: 3, declarations: 0..<3)
            #expect(try await store.migrate() == [70])
            #expect(try await Self.rowsByPartition(store, "message_parts") == ["message_parts_0": 3])
            #expect(try await Self.rowsByPartition(store, "declaration_lines") == ["declaration_lines_0": 6])
            #expect(try await store.message(guid: before.guid)?.rawBytes == before.raw)

            let report = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 10), now: Self.now)
            #expect(report.created.map(\.low) == [2, 4], "the partitions made next start after the newest ids at migration")
            let after = try await Self.streamed(store, 2, pieces: 2, declarations: 3..<4)
            #expect(try await Self.rowsByPartition(store, "message_parts") == ["message_parts_0": 3, "message_parts_2": 2])
            #expect(try await store.message(guid: after.guid)?.rawBytes == after.raw)
        }
    }

    @Test("SQLite is not partitioned: maintenance says so and changes nothing")
    func sqliteUnpartitioned() async throws {
        let store = try await makeStore(.sqlite)
        try await withCleanup({ await store.close() }) {
            let report = try await store.maintainPartitions(PartitionPolicy(retention: 1), now: Self.now)
            #expect(!report.partitioned && report.created.isEmpty && report.partitions.isEmpty)
        }
    }
}
