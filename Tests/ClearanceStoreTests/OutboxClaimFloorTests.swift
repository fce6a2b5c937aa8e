import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The claim's floor on PostgreSQL (``SQLStore/unfinishedFloorSQL``): a claim, its shipment-order
/// probes and the chains read after it look only in the outbox partitions from the oldest
/// unfinished row's message on, whatever the history below it.
@Suite("Outbox claims from the oldest unfinished row's partition on")
struct OutboxClaimFloorTests {
    /// Outbox partitions two message ids wide, messages 1–8 stored, and rows queued by hand:
    /// `(message, status, order key, due)`. The statistics are taken while every row is delivered,
    /// as autovacuum often finds an outbox that drains as fast as it fills; then the rows get their
    /// statuses.
    static func outbox(_ rows: [(Int, String, String, Bool)]) async throws -> SQLStore {
        let store = try await makeStore(.postgresql)
        _ = try await store.maintainPartitions(PartitionPolicy(ahead: 4, minimumSpan: 2), now: PartitionTests.now)
        for n in 1...8 { try await PartitionTests.streamed(store, n, pieces: 1, declarations: 0..<0) }
        let values = rows.map { message, _, key, due in
            "(\(message), 'customs', 'delivered', \(due ? 0 : Int64.max / 2), 0, 0, '\(key)')"
        }
        try await store.rawExecute("""
            INSERT INTO outbox (message_id, destination, status, next_attempt_at, created_at, updated_at, order_key)
            VALUES \(values.joined(separator: ", "));
            ANALYZE outbox;
            """)
        for (message, status, _, _) in rows where status != "delivered" {
            try await store.rawExecute("UPDATE outbox SET status = '\(status)' WHERE message_id = \(message)")
        }
        return store
    }

    /// The outbox partitions `sql` reads when run with `params` on its connection's cached generic
    /// plan, in a transaction with the claim's planner settings (rolled back): the scans executed,
    /// each with the index it used.
    static func partitionsRead(_ store: SQLStore, _ sql: String, _ params: [Int64]) async throws -> [(partition: String, index: String)] {
        let plan = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> [String] in
            for _ in 0..<2 {
                _ = try s.query("BEGIN", [])
                _ = try s.query(s.dialect.orderedWalkOnly ?? "", [])
                _ = try s.query(sql, params.map { .integer($0) })
                _ = try s.query("ROLLBACK", [])
            }
            guard let name = try s.queryOne("SELECT name FROM pg_prepared_statements WHERE statement = $1 AND generic_plans > 0",
                                            [.text(sql)])?.string(0) else { return ["no generic plan"] }
            _ = try s.query("BEGIN", [])
            _ = try s.query(s.dialect.orderedWalkOnly ?? "", [])
            let plan = try s.query("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE \(name)(\(params.map(String.init).joined(separator: ", ")))", [])
                .compactMap { $0.string(0) }
            _ = try s.query("ROLLBACK", [])
            return plan
        }
        #expect(!plan.contains("no generic plan"))
        return plan.compactMap { line -> (partition: String, index: String)? in
            guard !line.contains("never executed"), let match = line.firstMatch(of: /Scan (?:using (\S+) )?on (outbox_\w+)/) else { return nil }
            return (String(match.2), match.1.map(String.init) ?? "")
        }
    }

    /// The partition of the outbox holding message `id`.
    static func partition(_ store: SQLStore, holding id: Int) async throws -> String {
        try #require(try await store.rawQuery(
            "SELECT tableoid::regclass::text FROM outbox WHERE message_id = \(id) LIMIT 1", []).first?[0] ?? nil)
    }

    @Test("an unfinished row in an older partition still holds back its shipment's later rows; delivered rows below the floor are never read")
    func olderUnfinishedRowHoldsItsShipment() async throws {
        let store = try await Self.outbox([
            (1, "delivered", "A", true),    // below every unfinished row
            (3, "in-flight", "A", false),   // the oldest unfinished: leased, not due
            (5, "pending", "A", true),      // after it in shipment A: must wait
            (7, "pending", "B", true),      // shipment B: may go
        ])
        try await withCleanup({ await store.close() }) {
            #expect(try await store.rawQuery(SQLStore.unfinishedFloorSQL, [.integer(1)]).first?[0] == "3")
            let claimed = try await store.claimOutboxInShipmentOrder(limit: 10, lease: 60, now: Date())
            #expect(claimed.map(\.messageId) == [7])
            #expect(try await store.rawQuery("SELECT status FROM outbox WHERE message_id = 5", []).first?[0] == "pending")
        }
    }

    @Test("the claim and the chains' read prune the outbox partitions below the oldest unfinished row's message (cached generic plans)")
    func claimAndChainsPruneBelowTheFloor() async throws {
        let store = try await Self.outbox([
            (1, "delivered", "A", true), (2, "delivered", "B", true), (3, "delivered", "A", true),
            (5, "pending", "A", true), (7, "pending", "B", true),
        ])
        try await withCleanup({ await store.close() }) {
            let old = Set([try await Self.partition(store, holding: 1), try await Self.partition(store, holding: 3)])
            let recent = try await Self.partition(store, holding: 5)
            #expect(old.count == 2 && !old.contains(recent), "messages 1 and 3 lie in partitions of their own, below 5's")
            #expect(try await store.rawQuery(SQLStore.unfinishedFloorSQL, [.integer(1)]).first?[0] == "5")

            let now = StoreClock.milliseconds(Date())
            let claim = Set(try await Self.partitionsRead(store, SQLStore.claimStatement(.postgresql), [now, now + 60_000, 10, 5]).map(\.partition))
            #expect(claim.contains(recent) && claim.isDisjoint(with: old), "\(claim.sorted())")

            let ids = try await store.rawQuery("SELECT id FROM outbox WHERE message_id IN (5, 7) ORDER BY id", []).compactMap { $0[0].flatMap(Int64.init) }
            #expect(ids.count == 2)
            let chains = Set(try await Self.partitionsRead(store, SQLStore.chainsSQL(.postgresql, ids: 2, messages: 2), ids + [5, 7, 5]).map(\.partition))
            #expect(chains.contains(recent) && chains.isDisjoint(with: old), "\(chains.sorted())")
        }
    }

    @Test("the shipment-order probes and the chains never walk the floor's index (every unfinished row from the floor on, for each key)")
    func probesLeaveTheFloorsIndexToTheFloor() async throws {
        let store = try await Self.outbox([(5, "pending", "A", true), (6, "pending", "A", true), (7, "pending", "B", true)])
        try await withCleanup({ await store.close() }) {
            // The floor's index, by the names PostgreSQL gave it in each partition.
            let floorIndexes = Set(try await store.rawQuery("""
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'outbox_unfinished_idx'::regclass
                """).compactMap { $0[0] ?? nil })
            #expect(!floorIndexes.isEmpty)
            let now = StoreClock.milliseconds(Date())
            let claim = try await Self.partitionsRead(store, SQLStore.claimStatement(.postgresql, extraCondition: SQLStore.shipmentOrderCondition(.postgresql)), [now, now + 60_000, 10, 5])
            let ids = try await store.rawQuery("SELECT id FROM outbox WHERE message_id IN (5, 6, 7) ORDER BY id", []).compactMap { $0[0].flatMap(Int64.init) }
            let chains = try await Self.partitionsRead(store, SQLStore.chainsSQL(.postgresql, ids: 4, messages: 4), ids + [ids[2], 5, 6, 7, 7, 5])
            #expect(!claim.isEmpty && !chains.isEmpty)
            #expect(claim.filter { floorIndexes.contains($0.index) }.isEmpty, "\(claim)")
            #expect(chains.filter { floorIndexes.contains($0.index) }.isEmpty, "\(chains)")
        }
    }
}
