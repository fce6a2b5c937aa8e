import CEBModel
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Raw message parts, declaration lines and the outbox are partitioned by their parent's id on
/// PostgreSQL, events by their own (``PartitionMigrations``); maintenance makes partitions ahead,
/// moves what the default partition took, and detaches what retention allows. Events carry the time
/// they were recorded (now, append-only), so only `eventsByTheirOwnId` takes them past retention.
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

    /// What the store says when `read` meets archived bytes (``StoreError/archived(_:)``); records
    /// `readAnyway` when the read succeeds, and any other error, and returns nil then.
    static func archived(_ readAnyway: Comment, _ read: () async throws -> Void) async -> String? {
        do {
            try await read()
            Issue.record(readAnyway)
        } catch let error as StoreError {
            if case .archived(let what) = error { return what }
            Issue.record("expected archived, got \(error)")
        } catch {
            Issue.record("expected archived, got \(error)")
        }
        return nil
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
            #expect(first.created.map(\.name) == ["message_parts_1", "declaration_lines_1", "outbox_1", "events_1", "declarations_1", "messages_1"])
            #expect(first.created.map(\.high) == [5, 5, 5, 5, 5, 5])
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
            #expect(second.rowsMoved == 16 + 8, "16 lines and their 8 declarations")
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

            // The claim updates each row it leases in that row's own partition: the other partitions'
            // scans under the update are never executed (pruned at run time).
            try await store.rawExecute("""
                INSERT INTO outbox (message_id, destination, next_attempt_at, created_at, updated_at)
                VALUES (1, 'customs', 0, 0, 0), (2, 'customs', 0, 0, 0)
                """)
            let claim = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> [String] in
                // In a transaction with the claim's planner settings, as `claimOutbox` runs it (rolled
                // back, twice): the claim runs on its connection's cached generic plan, never a custom one.
                let sql = SQLStore.claimStatement(s.dialect)
                for _ in 0..<2 {
                    _ = try s.query("BEGIN", [])
                    _ = try s.query(s.dialect.orderedWalkOnly ?? "", [])
                    _ = try s.query(sql, [.integer(1), .integer(2), .integer(10), .integer(0)])  // the floor: 0, every partition
                    _ = try s.query("ROLLBACK", [])
                }
                guard let row = try s.queryOne("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
                                               [.text(sql)]) else { return ["the claim was not prepared"] }
                guard row.int(1) == 2, row.int(2) == 0, let name = row.string(0) else {
                    return ["generic plans \(row.int(1) ?? -1), custom plans \(row.int(2) ?? -1)"]
                }
                _ = try s.query("BEGIN", [])
                _ = try s.query(s.dialect.orderedWalkOnly ?? "", [])
                let plan = try s.query("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE \(name)(1, 2, 10, 0)", [])
                    .compactMap { $0.string(0) }
                _ = try s.query("ROLLBACK", [])
                return plan
            }
            let updated = claim.compactMap { line -> (String, Bool)? in
                // The update's own scans name each partition with the alias `outbox_N`; the candidates' scans use `o_N`.
                guard let match = line.firstMatch(of: /Scan (?:using \S+ )?on (outbox_\w+) outbox_\d+/) else { return nil }
                return (String(match.1), !line.contains("never executed"))
            }
            #expect(Set(updated.map(\.0)).count >= 3, "\(claim.joined(separator: "\n"))")
            #expect(updated.filter(\.1).map(\.0) == ["outbox_1"], "\(claim.joined(separator: "\n"))")
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
            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-400 * 86_400))
            try await store.rawExecute("""
                UPDATE messages SET received_at = \(longAgo) WHERE id < 3;
                UPDATE declarations SET created_at = \(longAgo) WHERE id < 3;
                INSERT INTO outbox (message_id, destination, next_attempt_at, created_at, updated_at) VALUES (2, 'customs', 0, 0, 0);
                """)

            let first = try await store.maintainPartitions(policy, now: Self.now)
            #expect(first.detached.map(\.name) == ["declaration_lines_1", "declarations_1"])
            #expect(first.kept.map(\.partition.name) == ["message_parts_1", "outbox_1", "messages_1"])
            #expect(first.kept.map(\.hold) == [.deliveriesPending, .deliveriesPending, .deliveriesPending])
            // Not past retention (message 3 is recent) or still filling: neither kept nor detached.
            #expect(!(first.detached + first.kept.map(\.partition)).contains { $0.low >= 3 })

            try await store.rawExecute("UPDATE outbox SET status = 'delivered' WHERE message_id = 2")
            let second = try await store.maintainPartitions(policy, now: Self.now)
            #expect(second.detached.map(\.name) == ["message_parts_1", "outbox_1", "messages_1"])
            #expect(second.partitions.first { $0.name == "message_parts_1" }?.detachedAt != nil)
            // The delivered row went with its partition; the delivery is still on the message's timeline.
            #expect(try await store.count("outbox_1") == 1)
            #expect(try await store.count("outbox") == 0)

            // The detached table keeps its rows for archiving; the live table no longer has them.
            #expect(try await store.count("message_parts_1") == 5)
            #expect(try await store.count("message_parts", where: "message_id = 1") == 0)
            // The heads went with them: every read of the message says where it went.
            #expect(try await store.count("messages", where: "id < 3") == 0)
            #expect(try await store.count("messages_1") == 2)
            let whole = await Self.archived("an archived message was read as if whole") { _ = try await store.message(guid: old.guid) }
            #expect(whole?.contains("messages_1") == true && whole?.contains(old.guid) == true)
            #expect(await Self.archived("an archived head was read") { _ = try await store.messageHeader(guid: old.guid) } != nil)
            #expect(await Self.archived("an archived piece was read") { _ = try await store.rawPiece(guid: old.guid, index: 1) } != nil)
            // Its guid stays used: sent again, it is judged against the digest its key keeps.
            let again = try await store.beginStreamedMessage(StreamedMessageTests.header(old.guid))
            #expect(again.state == .complete && again.storedSHA256 == SHA256Digest.hex(of: old.raw))
            let resent = try await store.ingest([IngestItem(message: MessageRecord(
                guid: old.guid, messageType: "CEB621", senderCode: StreamedMessageTests.sender, direction: .inbound,
                receivedAt: Self.now, sha256: SHA256Digest.hex(of: [1, 2, 3]), rawBytes: [1, 2, 3], signatureVerdict: "valid"))])
            #expect(resent.messages.map(\.status) == [.guidConflict])
            #expect(try await store.message(guid: recent.guid)?.rawBytes == recent.raw)
        }
    }

    @Test("a single message's bytes lie in a raw part and go to the archive with its partition, its head too; a head stored with its bytes inside goes whole")
    func singleMessagesArchived() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            _ = try await store.maintainPartitions(policy, now: Self.now)
            let items = (1...3).map { ShipmentFixture($0).items[0] }   // messages 1, 2, 3: one order each
            for item in items { _ = try await store.ingest([item]) }
            #expect(try await Self.rowsByPartition(store, "message_parts") == ["message_parts_1": 2, "message_parts_default": 1])
            #expect(try await store.count("messages", where: "length(raw) = 0") == 3)
            // Message 2 as stored before 7 Dec: its bytes in the head's `raw`, no part.
            try await store.rawExecute("""
                UPDATE messages SET raw = (SELECT bytes FROM message_parts WHERE message_id = 2 AND part_no = 0) WHERE id = 2;
                DELETE FROM message_parts WHERE message_id = 2;
                """)
            let guids = items.map(\.message.guid)
            // The head's cached (generic) plan reads its first part in the one partition holding it:
            // the others' probes are pruned as the sub-select runs.
            let plan = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> [String] in
                let sql = "SELECT \(SQLStore.messageHeadColumns) FROM messages WHERE id = \(SQLStore.keyedMessageId)"
                for _ in 0..<2 { _ = try s.lookup(sql, [.text(guids[0])]) }
                guard let name = try s.queryOne("SELECT name FROM pg_prepared_statements WHERE statement = $1 AND generic_plans > 0",
                                                [.text(sql)])?.string(0) else { return ["no generic plan"] }
                return try s.lookup("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE \(name)('\(guids[0])')", [])
                    .compactMap { $0.string(0) }
            }
            let partScans = plan.compactMap { line -> (String, Bool)? in
                guard let match = line.firstMatch(of: /on (message_parts_\w+)/) else { return nil }
                return (String(match.1), !line.contains("never executed"))
            }
            #expect(partScans.filter(\.1).map(\.0) == ["message_parts_1"], "\(plan.joined(separator: "\n"))")
            for item in items { #expect(try await store.message(guid: item.message.guid)?.rawBytes == item.message.rawBytes) }
            #expect(try await store.messages(guids: guids, maxBytes: 1 << 16).mapValues(\.rawBytes)
                    == Dictionary(uniqueKeysWithValues: items.map { ($0.message.guid, $0.message.rawBytes) }))

            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-400 * 86_400))
            try await store.rawExecute("UPDATE messages SET received_at = \(longAgo) WHERE id < 3")
            let report = try await store.maintainPartitions(policy, now: Self.now)
            #expect(report.detached.map(\.name) == ["message_parts_1", "outbox_1", "messages_1"], "\(report.kept)")
            #expect(try await store.count("message_parts_1") == 1)
            #expect(try await store.count("messages_1", where: "length(raw) > 0") == 1)
            for guid in guids[0...1] {
                let what = await Self.archived("an archived single message was read") { _ = try await store.message(guid: guid) }
                #expect(what?.contains("messages_1") == true && what?.contains(guid) == true)
            }
            #expect(try await store.message(guid: guids[2])?.rawBytes == items[2].message.rawBytes)
        }
    }

    @Test("stored answers past retention are deleted, in steps, and only with a retention; newer ones stay (SQLite too, which has no partitions)",
          arguments: TestEngine.allCases)
    func answersPastRetention(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-400 * 86_400))
            // More than one step's worth, so the deletion runs in several transactions.
            let old = SQLStore.answersPrunedPerStep + 50
            try await store.rawExecute("""
                WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < \(old))
                INSERT INTO message_answers (guid, enterprise_code, http_status, body, created_at)
                SELECT 'OLD-' || n, 'ENT', 202, '{}', \(longAgo) FROM g
                """)
            let recent = try await store.storeAnswer(StoredAnswer(guid: "RECENT", enterpriseCode: "ENT", httpStatus: 202, body: "{\"n\":1}"))
            #expect(try await store.maintainPartitions(PartitionPolicy(), now: Self.now).answersPruned == 0)
            #expect(try await store.count("message_answers") == old + 1)

            let report = try await store.maintainPartitions(PartitionPolicy(retention: 30 * 86_400), now: Self.now)
            #expect(report.answersPruned == old)
            #expect(try await store.count("message_answers") == 1)
            #expect(try await store.answer(guid: "RECENT") == recent)
            #expect(try await store.answer(guid: "OLD-1") == nil)
        }
    }

    @Test("declarations of this calendar year (China time) stay attached past retention, for buyers' annual quotas; the year after, they go")
    func quotaYearHoldsDeclarations() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let date = { (text: String) in try #require(ISO8601DateFormatter().date(from: text)) }
            let (june, december, january) = (try date("2026-06-01T04:00:00Z"), try date("2026-12-01T04:00:00Z"), try date("2027-01-02T04:00:00Z"))
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            _ = try await store.maintainPartitions(policy, now: june)
            for n in 1...3 { _ = try await Self.streamed(store, n, pieces: 2, declarations: (n - 1)..<n) }
            let early = StoreClock.milliseconds(june)
            try await store.rawExecute("""
                UPDATE messages SET received_at = \(early) WHERE id < 3;
                UPDATE declarations SET created_at = \(early) WHERE id < 3;
                """)
            let decemberRun = try await store.maintainPartitions(policy, now: december)
            #expect(decemberRun.kept.filter { $0.partition.table == .declarations }.map(\.hold) == [.quotaYear])
            #expect(decemberRun.detached.map(\.name).contains("messages_1"), "the rest goes: \(decemberRun.detached.map(\.name))")
            #expect(try await store.count("declarations", where: "id < 3") == 2)
            let januaryRun = try await store.maintainPartitions(policy, now: january)
            #expect(januaryRun.detached.map(\.name) == ["declarations_1"])
            #expect(try await store.count("declarations", where: "id < 3") == 0)
            #expect(try await store.count("declaration_keys", where: "declaration_id < 3") == 2, "their keys stay")
        }
    }

    @Test("a buyer's annual total reads only the declarations partitions its year can be in: from the first declaration stored a week before the year began")
    func annualTotalsReadTheirYearsPartitions() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let date = { (text: String) in StoreClock.milliseconds(try #require(ISO8601DateFormatter().date(from: text))) }
            _ = try await store.maintainPartitions(PartitionPolicy(ahead: 3, minimumSpan: 2), now: Self.now)
            for n in 1...6 { _ = try await Self.streamed(store, n, pieces: 1, declarations: (n - 1)..<n) }
            let masker = try #require(store.masker.get())
            let buyer = "110101199001011234"
            // Declarations 1 and 2 of 2025; 3 stored three weeks before 2026 began (China time) but
            // declared in it, 4 four days before, 5 and 6 in 2026. Partitions [1,3), [3,5), [5,7).
            try await store.rawExecute("""
                UPDATE declarations SET buyer_id_type = '1', buyer_id_hash = '\(masker.hash(idNumber: buyer))', status = '800',
                    goods_value = 100, freight = 0;
                UPDATE declarations SET created_at = \(try date("2025-06-01T04:00:00Z")), app_time = \(try date("2025-06-01T04:00:00Z")) WHERE id < 3;
                UPDATE declarations SET created_at = \(try date("2025-12-10T04:00:00Z")), app_time = \(try date("2026-01-05T04:00:00Z")) WHERE id = 3;
                UPDATE declarations SET created_at = \(try date("2025-12-28T04:00:00Z")), app_time = \(try date("2026-01-05T04:00:00Z")) WHERE id = 4;
                UPDATE declarations SET created_at = \(try date("2026-03-01T04:00:00Z")), app_time = \(try date("2026-03-01T04:00:00Z")) WHERE id > 4;
                """)
            let firstId = { (since: Int64) in
                try await store.session { (s: any SQLSession) throws(StoreError) in try DeclarationIdFloors.firstId(s, storedSince: since) }
            }
            let since = try date("2025-12-24T16:00:00Z")  // a week before 1 January 2026, China time
            #expect(try await firstId(since) == 4)
            #expect(try await firstId(since + 10 * 86_400_000) == 5)
            #expect(try await firstId(0) == 1)
            #expect(try await firstId(try date("2027-01-01T00:00:00Z")) == 7, "none yet: past the newest")

            let total = { (year: Int) in try await store.annualTotal(buyerIdType: "1", buyerIdNumber: buyer, year: year, excludingDeclarationGuid: nil) }
            #expect(try await total(2025).cleared == CEBDecimal(200))
            #expect(try await total(2026).cleared == CEBDecimal(300), "4, 5 and 6: 3 was stored more than a week before the year began")

            // From the floor, the partition of 2025's declarations is not read.
            let parameters: [SQLValue] = [.text("1"), .text(masker.hash(idNumber: buyer)), .integer(try date("2025-12-31T16:00:00Z")),
                                          .integer(try date("2026-12-31T16:00:00Z")), .text("")]
                + SQLStore.annualTotalStatuses.map { .text($0) }
            let plan = { (floor: Int64?) in
                try await store.session { (s: any SQLSession) throws(StoreError) -> String in
                    try s.query("EXPLAIN (COSTS OFF) " + SQLStore.annualTotalSQL(floored: floor != nil), parameters + (floor.map { [.integer($0)] } ?? []))
                        .compactMap { $0.string(0) }.joined(separator: "\n")
                }
            }
            let floored = try await plan(4)
            // (A plan names each partition it reads as `on PARTITION ALIAS`.)
            #expect(!floored.contains("on declarations_1 ") && floored.contains("on declarations_3 ") && floored.contains("on declarations_5 "), "\(floored)")
            #expect(try await plan(nil).contains("on declarations_1 "), "without the floor every partition is read")
        }
    }

    @Test("a receipt found by number answers a declaration stored before this year (below the year's floor) as well as a recent one")
    func receiptsByNumberReachBelowTheFloor() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            _ = try await store.maintainPartitions(PartitionPolicy(ahead: 4, minimumSpan: 2), now: Self.now)
            let (old, recent) = (ShipmentFixture(61), ShipmentFixture(62))
            _ = try await store.ingest(old.items)
            _ = try await store.ingest(recent.items)
            let lastYear = StoreClock.milliseconds(try #require(ISO8601DateFormatter().date(from: "2025-06-01T04:00:00Z")))
            try await store.rawExecute("UPDATE declarations SET created_at = \(lastYear) WHERE order_no = '\(old.orderNo)' OR logistics_no = '\(old.logisticsNo)'")
            let inventory = { (f: ShipmentFixture) in
                try await store.rawQuery("SELECT id FROM declarations WHERE kind = 'inventory' AND cop_no = $1", [.text(f.copNo)]).first?[0].flatMap { Int64($0) }
            }
            let floor = try #require(try await store.session { (s: any SQLSession) throws(StoreError) in
                try store.declarationFloors.floor(year: ChinaTime.year(of: Date()), in: s)
            })
            let (oldId, recentId) = (try #require(try await inventory(old)), try #require(try await inventory(recent)))
            #expect(oldId < floor && recentId >= floor, "the old shipment's inventory lies below this year's floor, the recent one's above it")
            // Receipts quoting no declaration's guid, found by their numbers (copNo, invtNo).
            for (n, f) in [old, recent].enumerated() {
                var (item, receipt) = f.inventoryReceipt(status: "120", time: "2026112510000000\(n)")
                receipt.referenceGuid = ShipmentFixture.guid("NOSUCH", f.index)
                _ = try await store.ingest([item])
                let outcome = try await store.storeReceipts([receipt]).first
                #expect(outcome?.declarationId == [oldId, recentId][n], "shipment \(f.index): \(String(describing: outcome))")
            }
        }
    }

    @Test("a message whose declaration waits for documents or review keeps its raw parts attached: its release forwards those bytes")
    func waitingDeclarationsHoldTheirMessage() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            _ = try await store.maintainPartitions(policy, now: Self.now)
            let waiting = try await Self.streamed(store, 1, pieces: 3, declarations: 0..<1)  // message 1, declaration 1
            _ = try await Self.streamed(store, 2, pieces: 2, declarations: 1..<2)            // message 2, declaration 2
            _ = try await Self.streamed(store, 3, pieces: 2, declarations: 2..<3)            // recent
            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-400 * 86_400))
            try await store.rawExecute("""
                UPDATE messages SET received_at = \(longAgo) WHERE id < 3;
                UPDATE declarations SET created_at = \(longAgo) WHERE id < 3;
                UPDATE declarations SET status = '\(DeclarationStatus.awaitingDocuments.rawValue)' WHERE id = 1;
                UPDATE declarations SET status = '\(DeclarationStatus.held.rawValue)' WHERE id = 2;
                """)

            let first = try await store.maintainPartitions(policy, now: Self.now)
            #expect(first.detached.isEmpty)
            #expect(first.kept.map(\.partition.name) == ["message_parts_1", "declaration_lines_1", "outbox_1", "declarations_1", "messages_1"],
                    "a release queues outbox rows for the message")
            #expect(first.kept.map(\.hold) == Array(repeating: .declarationsWaiting, count: 5))
            #expect(try await store.message(guid: waiting.guid)?.rawBytes == waiting.raw, "a release can still read it")

            // The awaiting one is released; the held one still holds both.
            try await store.rawExecute("UPDATE declarations SET status = 'declared' WHERE id = 1")
            #expect(try await store.maintainPartitions(policy, now: Self.now).kept.map(\.hold)
                    == Array(repeating: .declarationsWaiting, count: 5))

            try await store.rawExecute("UPDATE declarations SET status = 'declared' WHERE id = 2")
            let last = try await store.maintainPartitions(policy, now: Self.now)
            #expect(last.detached.map(\.name) == ["message_parts_1", "declaration_lines_1", "outbox_1", "declarations_1", "messages_1"])
        }
    }

    /// Runs `body` while another transaction holds `lock` (a `LOCK TABLE` statement) on `relation`,
    /// starting only once PostgreSQL shows that lock granted, so the step under test cannot win the race.
    /// The holder is a store of its own (`holder`, on the same database): its blocked connection is
    /// never one the store under test waits for.
    static func whileHolding(_ holder: SQLStore, _ store: SQLStore, _ lock: String, on relation: String,
                             _ body: () async throws -> Void) async throws {
        let release = DispatchSemaphore(value: 0)
        // The holder lets go after 20 s whatever happens: a step that waits for it fails the test instead of hanging it.
        let holding = Task {
            try await holder.write { (s: any SQLSession) throws(StoreError) in try s.execute(lock, []); _ = release.wait(timeout: .now() + 20) }
        }
        var granted = false
        for _ in 0..<3_000 where !granted {  // a loaded machine may take seconds to run the holder
            granted = try await store.count("pg_locks", where: "relation = '\(relation)'::regclass AND granted AND pid <> pg_backend_pid()") > 0
            if !granted { try await Task.sleep(for: .milliseconds(10)) }
        }
        do {
            try #require(granted, "the holder never took its lock")
            try await body()
        } catch {
            release.signal()
            _ = try? await holding.value
            throw error
        }
        release.signal()
        try await holding.value
    }

    @Test("a table another transaction holds past the lock timeout is left for the next run, said so, and not waited for")
    func busyTableIsLeftForTheNextRun() async throws {
        let url = try freshURL(.postgresql)
        let store = try #require(try await openStore(url: url, options: StoreOptions(buyerIdSalt: testSalt)) as? SQLStore)
        let holder = try #require(try await openStore(url: url, options: StoreOptions(buyerIdSalt: testSalt)) as? SQLStore)
        try await withCleanup({ await store.close(); await holder.close() }) {
            var policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400, lockTimeout: 0.2)
            _ = try await store.maintainPartitions(policy, now: Self.now)
            for n in 1...3 { try await Self.streamed(store, n, pieces: 2, declarations: (n - 1)..<n) }
            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-400 * 86_400))
            try await store.rawExecute("""
                UPDATE messages SET received_at = \(longAgo) WHERE id < 3;
                UPDATE declarations SET created_at = \(longAgo) WHERE id < 3;
                """)
            _ = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 2), now: Self.now)

            // A long report reads the old raw parts: detaching them would queue every writer behind it.
            try await Self.whileHolding(holder, store, "LOCK TABLE message_parts_1 IN ACCESS SHARE MODE", on: "message_parts_1") {
                // Kept busy proves the detach gave up at its lock timeout: had it waited for the holder (who
                // lets go after 20 s), it would have detached. (A wall-clock bound here failed on a loaded CI
                // run, where other suites kept the test process's threads busy for seconds.)
                let busy = try await store.maintainPartitions(policy, now: Self.now)
                #expect(busy.kept.map(\.partition.name) == ["message_parts_1"])
                #expect(busy.kept.map(\.hold) == [.tableBusy])
                #expect(busy.detached.map(\.name) == ["declaration_lines_1", "outbox_1", "declarations_1", "messages_1"], "the other tables are not held up")
            }
            let next = try await store.maintainPartitions(policy, now: Self.now)
            #expect(next.detached.map(\.name) == ["message_parts_1"], "bytes whose heads are archived still go")

            // Making partitions ahead needs the parent: a table held whole is reported busy, the other still gets its partitions.
            policy.ahead = 4
            try await Self.whileHolding(holder, store, "LOCK TABLE message_parts IN ACCESS EXCLUSIVE MODE", on: "message_parts") {
                let busy = try await store.maintainPartitions(policy, now: Self.now)
                #expect(busy.busy == [.messageParts])
                #expect(Set(busy.created.map(\.table)).isSuperset(of: [.declarationLines, .outbox]) && !busy.created.contains { $0.table == .messageParts })
            }
            let made = try await store.maintainPartitions(policy, now: Self.now)
            #expect(made.busy.isEmpty && !made.created.isEmpty && made.created.allSatisfy { $0.table == .messageParts })
        }
    }

    @Test("a detached partition archived with pg_dump, dropped and restored with pg_restore attaches again: whole reads, kept a retention period, refusals say why")
    func archiveRoundTripWithPgDumpAndRestore() async throws {
        let server = try PostgresTestServer.require()
        let url = try freshURL(.postgresql)
        let store = try #require(try await openStore(url: url, options: StoreOptions(buyerIdSalt: testSalt)) as? SQLStore)
        try await withCleanup({ await store.close() }) {
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            _ = try await store.maintainPartitions(policy, now: Self.now)
            let old = try await Self.streamed(store, 1, pieces: 3, declarations: 0..<1)
            _ = try await Self.streamed(store, 2, pieces: 2, declarations: 1..<2)
            _ = try await Self.streamed(store, 3, pieces: 2, declarations: 2..<3)
            let longAgo = StoreClock.milliseconds(Self.now.addingTimeInterval(-400 * 86_400))
            try await store.rawExecute("""
                UPDATE messages SET received_at = \(longAgo) WHERE id < 3;
                UPDATE declarations SET created_at = \(longAgo) WHERE id < 3;
                """)
            #expect(try await store.maintainPartitions(policy, now: Self.now).detached.map(\.name)
                    == ["message_parts_1", "declaration_lines_1", "outbox_1", "declarations_1", "messages_1"])

            func refusal(_ name: String) async -> StoreError? {
                do throws(StoreError) {
                    _ = try await store.reattachPartition(named: name, policy: policy, now: Self.now)
                    return nil
                } catch { return error }
            }
            #expect(await refusal("message_parts_99")?.description.contains("not a partition this store made") == true)
            #expect(await refusal("message_parts_3")?.description.contains("is attached") == true)

            let dump = scratchDirectory("partition-archive") + "/messages_1.dump"
            let dumped = try await CommandRunner.run(server.tool("pg_dump"), ["-Fc", "-t", "message_parts_1", "-t", "messages_1", "-f", dump, "-d", url])
            try #require(dumped.status == 0, "\(dumped.output)")
            try await store.rawExecute("DROP TABLE message_parts_1; DROP TABLE messages_1")
            #expect(await refusal("message_parts_1")?.description.contains("restore it from its archive first") == true)

            let restored = try await CommandRunner.run(server.tool("pg_restore"), ["-d", url, dump])
            try #require(restored.status == 0, "\(restored.output)")
            // A floor of the buyers' annual totals found before the reattach is forgotten by it.
            _ = try store.declarationFloors.floor(year: 2026) { _ in 1 }
            let back = try await store.reattachPartition(named: "message_parts_1", policy: policy, now: Self.now)
            var foundAgain = false
            _ = try store.declarationFloors.floor(year: 2026) { _ in foundAgain = true; return 1 }
            #expect(foundAgain, "the floors are forgotten on a reattach")
            #expect(back.partition.detachedAt == nil && back.partition.reattachedAt != nil && back.partition.low == 1 && back.partition.high == 3)
            #expect(back.droppedIndexes.isEmpty, "its table has its parent's indexes only: \(back.droppedIndexes)")
            let archivedHead = await Self.archived("a message whose head is archived was read") { _ = try await store.message(guid: old.guid) }
            #expect(archivedHead?.contains("messages_1") == true)
            _ = try await store.reattachPartition(named: "messages_1", policy: policy, now: Self.now)
            #expect(try await store.message(guid: old.guid)?.rawBytes == old.raw, "read whole again")
            #expect(await refusal("message_parts_1")?.description.contains("is attached") == true)

            // A partition detached before migration 83 kept its own guid index (the parent's is gone):
            // reattached, it keeps only the indexes its parent has.
            try await store.rawExecute("CREATE INDEX declarations_1_declaration_guid_idx ON declarations_1 (declaration_guid)")
            let declarations = try await store.reattachPartition(named: "declarations_1", policy: policy, now: Self.now)
            #expect(declarations.droppedIndexes == ["declarations_1_declaration_guid_idx"], "the dropped index named")
            let indexes = { (table: String) async throws -> Int in
                Int(try await store.rawQuery("SELECT count(*) FROM pg_index WHERE indrelid = '\(table)'::regclass").first?[0] ?? "") ?? -1
            }
            #expect(try await store.rawQuery("SELECT 1 FROM pg_class WHERE relname = 'declarations_1_declaration_guid_idx'").isEmpty)
            #expect(try await indexes("declarations_1") == (try await indexes("declarations")), "the parent's indexes, each attached")

            // Retention keeps it one period from its return, then detaches it again.
            let kept = try await store.maintainPartitions(policy, now: Self.now)
            #expect(kept.kept.filter { $0.partition.name == "message_parts_1" }.map(\.hold) == [.reattached])
            #expect(kept.partitions.first { $0.name == "message_parts_1" }?.reattachedAt != nil)
            let later = try await store.maintainPartitions(policy, now: Self.now.addingTimeInterval(31 * 86_400))
            #expect(later.detached.map(\.name).contains("message_parts_1"))
        }
    }

    @Test("rows stored before the migration become the first partitions, still readable; later ones go to the partitions made after")
    func migrationKeepsRows() async throws {
        let store = try await makeStore(.postgresql, migratedThrough: 60)
        try await withCleanup({ await store.close() }) {
            // A streamed message as the code of that schema stored it (today's code needs `message_keys`).
            let before = (guid: ShipmentFixture.guid("PART1", 1), raw: StreamedMessageTests.rawBytes(3 * 1_024))
            _ = try await store.rawQuery("""
                INSERT INTO messages (guid, message_type, sender_code, direction, received_at, sha256, raw, signature_verdict, size, complete)
                VALUES ($1, 'CEB621', $2, 'inbound', 0, $3, '\\x', 'valid', $4, 1)
                """, [.text(before.guid), .text(StreamedMessageTests.sender), .text(SHA256Digest.hex(of: before.raw)),
                      .integer(Int64(before.raw.count))])
            for (n, part) in StreamedMessageTests.parts(before.raw, size: 1_024).enumerated() {
                _ = try await store.rawQuery("INSERT INTO message_parts (message_id, part_no, bytes) VALUES (1, $1, $2)",
                                             [.integer(Int64(n)), .blob(part.bytes)])
            }
            try await store.rawExecute("""
                INSERT INTO events (kind, occurred_at, message_id, recorded_at) VALUES ('received', 0, 1, 0);
                INSERT INTO declarations (kind, message_id, declaration_guid, sender_code, dedup_key, status, created_at)
                SELECT 'inventory', 1, 'BEFORE-' || n, 'ENT', 'BEFORE-' || n, 'received', 0 FROM generate_series(1, 3) n;
                INSERT INTO declaration_lines (declaration_id, gnum) SELECT d, g FROM generate_series(1, 3) d, generate_series(1, 2) g;
                """)
            try await store.rawExecute("""
                INSERT INTO outbox (message_id, destination, next_attempt_at, created_at, updated_at) VALUES (1, 'customs', 0, 0, 0)
                """)
            let events = try await store.count("events")
            #expect(try await store.migrate() == [70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84])
            #expect(try await Self.rowsByPartition(store, "messages") == ["messages_0": 1])
            #expect(try await store.count("declaration_keys", where: "declaration_guid = 'BEFORE-' || declaration_id") == 3)
            #expect(try await Self.rowsByPartition(store, "events") == ["events_0": events])
            #expect(try await Self.rowsByPartition(store, "outbox") == ["outbox_0": 1])
            // The row kept its id, and the ids handed out after the migration continue from it.
            #expect(try await store.claimOutbox(limit: 10, lease: 60, now: Self.now).map(\.id) == [1])
            try await store.rawExecute("""
                INSERT INTO outbox (message_id, destination, next_attempt_at, created_at, updated_at) VALUES (1, 'inspection', 0, 0, 0)
                """)
            #expect(try await store.count("outbox", where: "id = 2 AND destination = 'inspection'") == 1)
            #expect(try await Self.rowsByPartition(store, "message_parts") == ["message_parts_0": 3])
            #expect(try await Self.rowsByPartition(store, "declaration_lines") == ["declaration_lines_0": 6])
            #expect(try await store.message(guid: before.guid)?.rawBytes == before.raw)

            let report = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 10), now: Self.now)
            #expect(report.created.map(\.low) == [2, 4, 2, Int64(events + 1), 4, 2], "the partitions made next start after the newest ids at migration")
            let after = try await Self.streamed(store, 2, pieces: 2, declarations: 3..<4)
            #expect(try await Self.rowsByPartition(store, "message_parts") == ["message_parts_0": 3, "message_parts_2": 2])
            #expect(try await Self.rowsByPartition(store, "messages") == ["messages_0": 1, "messages_2": 1])
            // The migrated message's guid is a key: sending it again finds it stored.
            #expect(try await store.beginStreamedMessage(StreamedMessageTests.header(before.guid)).state == .complete)
            #expect(try await store.message(guid: after.guid)?.rawBytes == after.raw)
        }
    }

    @Test("events are partitioned by their own id: default rows move despite the append-only trigger, which holds on every partition; a dedup key outlives its detached partition")
    func eventsByTheirOwnId() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            #expect(try await store.maintainPartitions(policy, now: Self.now).created.filter { $0.table == .events }.map(\.name) == ["events_1"])
            let message = try await Self.streamed(store, 1, pieces: 2, declarations: 0..<1)
            func keyed(_ key: String) -> Event {
                Event(kind: .validated, occurredAt: Self.now, messageGuid: message.guid, detail: key, dedupKey: key)
            }
            var ids: [Int64] = []
            for key in ["k1", "k2", "k3", "k4"] { ids.append(try await store.appendEvent(keyed(key))) }
            #expect(try await store.appendEvent(keyed("k2")) == ids[1], "a repeated key answers the first event")
            let total = try await store.count("events")
            #expect(try await Self.rowsByPartition(store, "events")["events_default", default: 0] == total - 2, "beyond [1, 3)")

            // A timeline reads its events on the connection's cached generic plan (nothing prunes by message).
            let plans = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> [Int] in
                for _ in 0..<2 { #expect(try ShipmentTracer(session: s).trace(.guid(message.guid))?.events.count == total) }
                let row = try s.queryOne("""
                    SELECT COALESCE(SUM(generic_plans), -1), COALESCE(SUM(custom_plans), -1) FROM pg_prepared_statements
                    WHERE statement LIKE '%FROM events e LEFT JOIN message_keys m%'
                    """, [])
                return [row?.int(0) ?? -1, row?.int(1) ?? -1]
            }
            #expect(plans == [2, 0], "generic and custom plans of the timeline's events read")

            // Maintenance moves what the default took (the one delete the trigger lets through) ...
            let moved = try await store.maintainPartitions(PartitionPolicy(ahead: 1, minimumSpan: 2), now: Self.now)
            #expect(moved.rowsMoved >= total - 2)
            #expect(try await Self.rowsByPartition(store, "events")["events_default"] == nil)
            #expect(try await store.count("events") == total)
            // ... and nothing else deletes or changes an event, on the parent or on a partition.
            for statement in ["DELETE FROM events", "DELETE FROM events_1", "UPDATE events SET kind = 'x'", "TRUNCATE events"] {
                await #expect(throws: StoreError.self, "\(statement)") { try await store.rawExecute(statement) }
            }
            await #expect(throws: StoreError.self, "the setting maintenance uses lets deletes through from the default partition only") {
                try await store.rawExecute("SELECT set_config('clearance.moving_partition_rows', 'on', true); DELETE FROM events")
            }
            #expect(try await store.count("events") == total)

            // A month on, the partitions past retention detach; the keys they used still count.
            let later = Self.now.addingTimeInterval(60 * 86_400)
            let expired = try await store.maintainPartitions(policy, now: later)
            #expect(expired.detached.contains { $0.name == "events_1" }, "\(expired.detached.map(\.name))")
            let k1 = try #require(try await store.rawQuery("SELECT tableoid::regclass::text FROM events_1 WHERE dedup_key = 'k1'", []).first)
            #expect(k1.first == "events_1", "k1's event went with events_1")
            await #expect(throws: StoreError.notFound("event with dedup key k1")) { try await store.appendEvent(keyed("k1")) }
            try await store.write { (s: any SQLSession) throws(StoreError) in
                try SQLStore.insertEvents(s, [EventRow(kind: .validated, occurredAt: 0, messageId: 1, declarationId: nil,
                                                       code: nil, detail: "again", dedupKey: "k1")], now: 0)
            }
            #expect(try await store.count("events", where: "dedup_key = 'k1'") == 0, "the key is used: not inserted again")
            #expect(try await store.count("event_keys") >= 4)
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
