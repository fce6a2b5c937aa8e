import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Key look-ups run on plans PostgreSQL caches per connection (``PGConnection``). A cached plan is
/// made from the statistics of its moment, so these tests make each plan while its table is one
/// analysed page, then load tens of thousands of rows without an `ANALYZE` (autovacuum off), and
/// check that the cached plans still probe an index: a sequential scan, or a walk of a whole index,
/// would read hundreds of pages.
@Suite("Key look-ups on PostgreSQL")
struct KeyLookupPlanTests {
    /// `EXPLAIN (ANALYZE, BUFFERS)` of the cached plan of every prepared statement that has run on a
    /// generic plan, with arguments that match nothing: statement → (plan text, pages touched).
    private static func cachedPlans(_ s: any SQLSession) throws(StoreError) -> [String: (plan: String, pages: Int)] {
        var plans: [String: (plan: String, pages: Int)] = [:]
        let statements = try s.query(
            "SELECT name, statement, parameter_types::text FROM pg_prepared_statements WHERE generic_plans > $1", [.integer(0)])
        for row in statements {
            // Reads only: `EXPLAIN ANALYZE` runs the statement.
            guard let name = row.string(0), let statement = row.string(1), let types = row.string(2),
                  statement.trimmingCharacters(in: .whitespacesAndNewlines).uppercased().hasPrefix("SELECT") else { continue }
            let arguments = types.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",")
                .map { $0 == "integer" || $0 == "bigint" ? "1" : "'no-such-key'" }
            // Run as a look-up, so the session plans as look-ups do and reuses the cached plan.
            let lines = try s.lookup("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE \(name)(\(arguments.joined(separator: ", ")))", [])
                .compactMap { $0.string(0) }
            plans[statement] = (lines.joined(separator: "\n"), pages(lines))
        }
        return plans
    }

    /// The pages an `EXPLAIN (ANALYZE, BUFFERS)` read: the first `Buffers:` line is the top node's,
    /// which counts its children's too.
    static func pages<S: StringProtocol>(_ lines: [S]) -> Int {
        let top = lines.first { $0.contains("Buffers: shared") } ?? ""
        return top.split(separator: " ").reduce(0) { total, word in
            let pair = word.split(separator: "=")
            return total + (pair.count == 2 && (pair[0] == "hit" || pair[0] == "read") ? Int(pair[1]) ?? 0 : 0)
        }
    }

    /// `plan` with each partition's index named as its parent's (`declarations_default_order_no_idx`
    /// → `declarations_order_no_idx`): what a plan probes, whichever partitions hold the rows.
    static func byParentIndex(_ plan: String, _ store: SQLStore) async throws -> String {
        var parents: [String: String] = [:]
        for row in try await store.rawQuery("""
            SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relkind = 'I'
            """) {
            if let child = row[0], let parent = row[1] { parents[child] = parent }
        }
        return plan.replacing(/using (\S+) on/) { match in "using \(parents[String(match.1)] ?? String(match.1)) on" }
    }

    /// The sequential scans of declarations in an `EXPLAIN ANALYZE` that read rows (an empty
    /// partition's, or one never run, read none).
    static func declarationScans(_ plan: String) -> [Substring] {
        plan.split(separator: "\n").filter { $0.contains("Seq Scan on declarations") && !$0.contains(" rows=0 ") && !$0.contains("never executed") }
    }

    /// Turns autovacuum off on every partition of the heads (a partitioned table takes no storage
    /// parameters): rows loaded afterwards stay out of the statistics.
    static let autovacuumOff = """
        DO $$ DECLARE p REGCLASS; BEGIN
            FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent IN ('messages'::regclass, 'declarations'::regclass) LOOP
                EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', p);
            END LOOP;
        END $$;
        """

    /// The keys of declarations a test inserted straight into `declarations` (bypassing the store,
    /// which writes the key first): every declaration names its key.
    static let keysOfLoadedDeclarations = """
        INSERT INTO declaration_keys (kind, sender_code, dedup_key, declaration_guid, declaration_id)
        SELECT kind, sender_code, dedup_key, declaration_guid, id FROM declarations d
        WHERE NOT EXISTS (SELECT 1 FROM declaration_keys k WHERE k.declaration_id = d.id);
        """

    /// The statements `work` ran on `store`'s database, by `pg_stat_statements`' query id, each with
    /// its text, its calls and the pages it read a call (the test server preloads the extension;
    /// `.max` pages when never called). The id, not the text, names a statement from one run to
    /// the next: the text is kept as first seen, as sent when the statement was prepared before the
    /// reset, with its constants as `$n` when it was parsed again after it (a plan invalidated by
    /// new partitions).
    static func pagesPerCall(_ store: SQLStore, during work: () async throws -> Void)
        async throws -> [String: (query: String, calls: Int, pages: Int)] {
        let database = "(SELECT oid FROM pg_database WHERE datname = current_database())"
        try await store.rawExecute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset(0, \(database), 0);")
        try await work()
        var counted: [String: (query: String, calls: Int, pages: Int)] = [:]
        for row in try await store.rawQuery("""
            SELECT queryid, query, calls, shared_blks_hit + shared_blks_read FROM pg_stat_statements
            WHERE dbid = \(database) AND query NOT LIKE '%pg_stat_statements%'
            """) {
            let calls = Int(row[2] ?? "") ?? 0, pages = Int(row[3] ?? "") ?? .max
            counted[row[0] ?? ""] = (row[1] ?? "", calls, calls > 0 ? pages / calls : .max)
        }
        return counted
    }

    /// Stores one shipment, turns autovacuum off on declarations and analyses the small tables:
    /// rows loaded afterwards stay out of the statistics. Returns the first message's id (as SQL text).
    private static func analysedFixture(_ store: SQLStore) async throws -> String {
        _ = try await store.ingest(ShipmentFixture(0).items)
        try await store.rawExecute("\(Self.autovacuumOff) ANALYZE;")
        return try #require(try await store.rawQuery("SELECT MIN(id) FROM messages").first?.first ?? nil)
    }

    /// `EXPLAIN` (not run) of the cached plan of every prepared `INSERT` that has run on a generic
    /// plan, with type-correct arguments: statement → plan text.
    private static func cachedInsertPlans(_ s: any SQLSession) throws(StoreError) -> [String: String] {
        var plans: [String: String] = [:]
        for row in try s.query(
            "SELECT name, statement, parameter_types::text FROM pg_prepared_statements WHERE generic_plans > $1", [.integer(0)]) {
            guard let name = row.string(0), let statement = row.string(1), let types = row.string(2),
                  statement.trimmingCharacters(in: .whitespacesAndNewlines).uppercased().hasPrefix("INSERT") else { continue }
            let arguments = types.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",")
                .map { ["integer", "bigint", "numeric", "smallint"].contains($0) ? "1" : "'x'" }
            plans[statement] = try s.lookup("EXPLAIN (COSTS OFF) EXECUTE \(name)(\(arguments.joined(separator: ", ")))", [])
                .compactMap { $0.string(0) }.joined(separator: "\n")
        }
        return plans
    }

    private static func setting(_ rows: [SQLRow]) -> String {
        rows.first.map { "\($0.string(0) ?? "?")/\($0.string(1) ?? "?")" } ?? "none"
    }

    @Test("a look-up planned on a one-page table still probes its index after 100,000 rows arrive unanalysed")
    func cachedPlanStaysAnIndexProbe() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let sql = "SELECT id FROM probe WHERE k = $1"
            let (found, counts, plans) = try await store.sessions.withSession {
                (s: any SQLSession) throws(StoreError) -> (String?, [String?], [String: (plan: String, pages: Int)]) in
                try s.executeScript("""
                    CREATE TABLE probe (id BIGINT PRIMARY KEY, k TEXT NOT NULL, pad TEXT) WITH (autovacuum_enabled = false);
                    CREATE INDEX probe_k_idx ON probe (k);
                    INSERT INTO probe SELECT n, 'k' || n, repeat('x', 200) FROM generate_series(1, 3) n;
                    ANALYZE probe;
                    """)
                _ = try s.lookup(sql, [.text("k1")])
                try s.executeScript("INSERT INTO probe SELECT n, 'k' || n, repeat('x', 200) FROM generate_series(4, 100000) n")
                let found = try s.lookupOne(sql, [.text("k99999")])?.string(0)
                // The same statement as an ordinary query plans afresh each time.
                _ = try s.query(sql, [.text("k2")])
                let counts = try s.queryOne(
                    "SELECT generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE statement = $1", [.text(sql)])
                return (found, [counts?.string(0), counts?.string(1)], try Self.cachedPlans(s))
            }
            #expect(found == "99999")
            #expect(counts == ["2", "1"], "two look-ups on the cached plan, one ordinary run planned for itself")
            let probe = try #require(plans[sql])
            #expect(!probe.plan.contains("Seq Scan") && probe.plan.contains("probe_k_idx"), "\(probe.plan)")
            #expect(probe.pages < 10, "\(probe.plan)")
        }
    }

    @Test("the store's sessions never compile plans (JIT), whatever their estimated cost")
    func sessionsDoNotCompilePlans() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let settings = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> [String?] in
                // A statement far above every JIT threshold (its plan shows a `JIT:` section when compiled).
                let plan = try s.query("""
                    EXPLAIN (ANALYZE) SELECT count(*) FROM generate_series(1, 20000) a, generate_series(1, 200) b WHERE a + b = 7
                    """, []).compactMap { $0.string(0) }
                return [try s.lookupOne("SELECT current_setting('jit')", [])?.string(0),
                        try s.queryOne("SELECT current_setting('jit')", [])?.string(0),
                        plan.contains { $0.hasPrefix("JIT:") } ? "compiled" : "interpreted"]
            }
            #expect(settings == ["off", "off", "interpreted"])
        }
    }

    @Test("the look-up mode never reaches into a transaction, nor comes back with a rollback")
    func lookupModeStaysOutsideTransactions() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let settings = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> [String] in
                let show = "SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')"
                var seen: [String] = []
                seen.append(Self.setting(try s.lookup(show, [])))
                try s.beginWrite()
                seen.append(Self.setting(try s.query(show, [])))
                seen.append(Self.setting(try s.lookup(show, [])))
                // A bulk chunk's own transaction-local mode survives a look-up inside it.
                try s.executeScript("SET LOCAL plan_cache_mode = auto")
                seen.append(Self.setting(try s.lookup(show, [])))
                s.rollback()
                seen.append(Self.setting(try s.lookup(show, [])))
                seen.append(Self.setting(try s.query(show, [])))
                try s.writeTransaction { () throws(StoreError) in
                    seen.append(Self.setting(try s.lookup(show, [])))
                }
                seen.append(Self.setting(try s.lookup(show, [])))
                // A transaction begun in look-up mode plans afresh; the mode is back after it.
                try s.writeTransaction { () throws(StoreError) in
                    seen.append(Self.setting(try s.query(show, [])))
                    seen.append(Self.setting(try s.lookup(show, [])))
                }
                seen.append(Self.setting(try s.lookup(show, [])))
                try s.beginWrite()
                seen.append(Self.setting(try s.query(show, [])))
                s.rollback()
                seen.append(Self.setting(try s.lookup(show, [])))
                // A transaction of key probes plans them once, from either mode, and leaves the mode as it was.
                try s.writeTransaction(keyProbes: true) { () throws(StoreError) in seen.append(Self.setting(try s.query(show, []))) }
                seen.append(Self.setting(try s.query(show, [])))
                try s.writeTransaction(keyProbes: true) { () throws(StoreError) in seen.append(Self.setting(try s.query(show, []))) }
                seen.append(Self.setting(try s.query(show, [])))
                return seen
            }
            #expect(settings == [
                "force_generic_plan/off",
                "force_custom_plan/on", "force_custom_plan/on", "auto/on",
                "force_generic_plan/off", "force_custom_plan/on",
                "force_custom_plan/on",
                "force_generic_plan/off",
                "force_custom_plan/on", "force_custom_plan/on",
                "force_generic_plan/off",
                "force_custom_plan/on",
                "force_generic_plan/off",
                "force_generic_plan/off", "force_custom_plan/on",
                "force_generic_plan/off", "force_custom_plan/on",
            ])
        }
    }

    @Test("the store's look-ups planned on a few rows still probe indexes after 60,000 declarations arrive unanalysed")
    func storeLookupsStayIndexProbes() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let shipment = ShipmentFixture(1)
            for s in [ShipmentFixture(0), shipment, ShipmentFixture(2)] { _ = try await store.ingest(s.items) }
            try await store.upsertEnterprise(EnterpriseRecord(code: ShipmentFixture.ebpCode, name: "Platform", role: .system))
            let keyHash = String(repeating: "a", count: 64)
            _ = try await store.createAPIKey(enterpriseCode: ShipmentFixture.ebpCode, keyHash: keyHash, prefix: "clr_aaaaaaaa", now: .now)
            try await store.rawExecute("""
                \(Self.autovacuumOff)
                ANALYZE;
                """)

            // Every look-up of the single-message path, planned now, on the small tables.
            func lookUps(order: String) async throws {
                _ = try await store.declarationPhase(kind: "order", businessKey: order, senderCode: ShipmentFixture.ebpCode)
                _ = try await store.awaitingInventories(orderNo: order, logisticsNo: "LP-none")
                _ = try await store.message(guid: shipment.items[0].message.guid)
                _ = try await store.declarationGuids(messageGuid: shipment.items[0].message.guid, status: .awaitingDocuments)
                _ = try await store.answer(guid: "no-such-guid")
                _ = try await store.creditEntries(codes: [ShipmentFixture.ebpCode, ShipmentFixture.ebcCode])
                #expect(try await store.enterprise(apiKeyHash: keyHash)?.code == ShipmentFixture.ebpCode)
                #expect(try await store.enterprise(code: ShipmentFixture.ebpCode)?.code == ShipmentFixture.ebpCode)
                _ = try await store.messageHeader(guid: shipment.items[0].message.guid)
                _ = try await store.documentRanges(messageGuid: shipment.items[0].message.guid, status: .awaitingDocuments, among: ["G-1", "G-2"])
                _ = try await store.rawPiece(guid: shipment.items[0].message.guid, index: 0)
                // The delivery worker's read of a round's single messages, 32 keys.
                _ = try await store.messages(guids: shipment.items.map(\.message.guid) + (1...28).map { "none-\($0)" }, maxBytes: 1 << 20)
                _ = try await store.routedDestinations(messageGuid: shipment.items[0].message.guid)
                _ = try await store.annualTotal(buyerIdType: "1", buyerIdNumber: "350128199003070024", year: 2026, excludingDeclarationGuid: nil)
                // The match's reads of the linked documents, one key and two.
                try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) in
                    _ = try SQLStore.linkedRows(s, orderKinds: [.order, .payment], orderNos: [order], waybillKind: .logistics, logisticsNos: ["LP-none"])
                    _ = try SQLStore.linkedRows(s, orderKinds: [.order, .payment], orderNos: [order, "BULK2"], waybillKind: .logistics, logisticsNos: [])
                    _ = try SQLStore.storedLines(s, of: [1, 2])
                }
            }
            try await lookUps(order: shipment.orderNo)

            let message = try #require(try await store.rawQuery("SELECT MIN(id) FROM messages").first?.first ?? nil)
            try await store.rawExecute("""
                INSERT INTO message_keys (guid, sha256) SELECT 'BULK-' || n, 'x' FROM generate_series(1, 20000) n;
                INSERT INTO messages (id, guid, message_type, sender_code, direction, received_at, sha256, raw, signature_verdict)
                SELECT message_id, guid, 'CEB311', '\(ShipmentFixture.ebpCode)', 'inbound', 0, 'x', '\\x00', 'valid'
                FROM message_keys WHERE guid LIKE 'BULK-%';
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, order_no, logistics_no, status, created_at)
                SELECT nextval('declaration_keys_declaration_id_seq'), CASE WHEN n % 2 = 0 THEN 'order' ELSE 'inventory' END, \(message), 'G-' || n,
                       '\(ShipmentFixture.ebpCode)', 'BULK' || n, 'BULK' || n, 'LP' || n,
                       CASE WHEN n % 2 = 0 THEN 'received' ELSE 'awaiting documents' END, 0
                FROM generate_series(1, 60000) n;
                \(Self.keysOfLoadedDeclarations)
                """)
            try await lookUps(order: "BULK59998")
            // Each statement again with real keys of the loaded rows, its pages counted by
            // pg_stat_statements: a plan that walks every key of the sender reads no more than one
            // that probes when nothing matches, but does here.
            let measured = try await Self.pagesPerCall(store) { try await lookUps(order: "BULK59997") }
            #expect(measured.count >= 15, "\(measured)")
            for counted in measured.values {
                // A probe reads a few pages a key (an index's levels, then its row): the round's read
                // of 32 messages takes 85; a walk of the 60,000 loaded rows takes hundreds.
                let keys = counted.query.filter { $0 == "$" }.count
                #expect(counted.calls > 0 && counted.pages < 40 + 4 * keys,
                        "\(counted.pages) pages a call in \(counted.calls) calls: \(counted.query)")
            }
            #expect(try await store.declarationPhase(kind: "order", businessKey: "BULK59998", senderCode: ShipmentFixture.ebpCode).declarationGuid == "G-59998")
            #expect(try await store.awaitingInventories(orderNo: "BULK59999", logisticsNo: nil).values.flatMap { $0 } == ["G-59999"])

            let plans = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) in try Self.cachedPlans(s) }
            for fragment in ["FROM declarations", "UNION ALL SELECT declaration_id FROM declaration_keys", "FROM messages WHERE id = (SELECT message_id FROM message_keys WHERE guid", "d.declaration_guid FROM declarations d JOIN message_keys", "FROM message_answers",
                             "FROM credit_list", "FROM api_keys", "FROM enterprises WHERE code", "(SELECT COUNT(*) FROM message_parts",
                             "LEFT JOIN document_ranges", "FROM awaited_numbers a WHERE a.number IN", "buyer_id_hash = $2", "SELECT raw FROM messages", "FROM message_keys k CROSS JOIN LATERAL", "SELECT destination FROM outbox", "n.kind IN ($1, $2) AND n.number IN", "n.kind IN ($4) AND n.number IN", "FROM declaration_lines WHERE declaration_id IN"] {
                #expect(plans.keys.contains { $0.contains(fragment) }, "no cached plan for a look-up \(fragment)")
            }
            for (statement, plan) in plans {
                #expect(!plan.plan.contains("Seq Scan") && plan.pages < 40, "\(statement)\n\(plan.plan)")
            }
        }
    }

    @Test("group commit's row inserts, planned on small tables, still find rows by index after 60,000 declarations arrive unanalysed")
    func groupWritesStayIndexProbes() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            try await store.rawExecute("""
                \(Self.autovacuumOff)
                """)
            for n in 0..<3 { _ = try await store.ingestRouted(GroupCommitTests.orderWrite(n)) }
            try await store.rawExecute("ANALYZE")
            _ = try await store.ingestRouted(GroupCommitTests.orderWrite(3))
            let message = try #require(try await store.rawQuery("SELECT MIN(id) FROM messages").first?.first ?? nil)
            try await store.rawExecute("""
                INSERT INTO message_keys (guid, sha256) SELECT 'BULK-' || n, 'x' FROM generate_series(1, 20000) n;
                INSERT INTO messages (id, guid, message_type, sender_code, direction, received_at, sha256, raw, signature_verdict)
                SELECT message_id, guid, 'CEB311', '\(ShipmentFixture.ebpCode)', 'inbound', 0, 'x', '\\x00', 'valid'
                FROM message_keys WHERE guid LIKE 'BULK-%';
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, order_no, status, created_at)
                SELECT nextval('declaration_keys_declaration_id_seq'), 'order', \(message), 'G-' || n, '\(ShipmentFixture.ebpCode)', 'BULK' || n, 'BULK' || n, 'received', 0
                FROM generate_series(1, 60000) n;
                \(Self.keysOfLoadedDeclarations)
                """)
            let report = try await store.ingestRouted(GroupCommitTests.orderWrite(4))
            #expect(report.messages.first?.status == .stored && report.declarationsInserted == 1 && report.linesInserted == 2)

            let plans = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) in try Self.cachedInsertPlans(s) }
            for table in ["messages", "declarations", "declaration_lines"] {
                #expect(plans.keys.contains { $0.contains("INSERT INTO \(table) ") }, "no cached plan for the inserts into \(table)")
            }
            for (statement, plan) in plans {
                #expect(!plan.contains("Seq Scan"), "\(statement)\n\(plan)")
            }
            #expect(plans.values.contains { $0.contains("Index Scan using declaration_keys_pkey") })
        }
    }

    @Test("a release moves the inventories it names by their ids (found by guid), a whole batch by the message's index, and documents find what they complete by their numbers: never through every waiting inventory, after 30,000 arrive unanalysed")
    func releasesStayOnTheMessageIndex() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let message = try await Self.analysedFixture(store)
            try await store.rawExecute("""
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, status, created_at, order_no, logistics_no)
                SELECT nextval('declaration_keys_declaration_id_seq'), 'inventory', \(message), 'G-' || n, '\(ShipmentFixture.ebpCode)', 'BULK' || n, 'awaiting documents', 0,
                       'BULK' || n, 'LB' || n
                FROM generate_series(1, 30000) n;
                \(Self.keysOfLoadedDeclarations)
                """)
            // The statements as the store runs them, with literal arguments.
            for named in [0, 2] {
                var sql = SQLStore.moveDeclarationsSQL(namedIds: named)
                for (n, value) in ["'routed'", "\(message)", "'awaiting documents'", "1", "2"].enumerated().reversed() {
                    sql = sql.replacingOccurrences(of: "$\(n + 1)", with: value)
                }
                let plan = try await Self.byParentIndex(
                    try await store.rawQuery("EXPLAIN (COSTS OFF) \(sql)").compactMap { $0.first ?? nil }.joined(separator: "\n"), store)
                // 30,000 declarations of one batch: releasing two of them must not walk the batch.
                let index = named == 0 ? "declarations_message_idx" : "declarations_pkey"
                #expect(plan.contains(index) && !plan.contains("declarations_awaiting_idx"), "\(sql)\n\(plan)")
                // The same on the cached generic plan a release runs it on (``SQLStore/advanceDocuments``).
                let generic = try await Self.byParentIndex(try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> String in
                    try s.beginWrite(keyProbes: true)
                    defer { s.rollback() }
                    try s.executeScript("PREPARE release_probe_\(named) AS \(SQLStore.moveDeclarationsSQL(namedIds: named))")
                    let arguments = ["'routed'", "\(message)", "'awaiting documents'", "1", "2"].prefix(3 + named)
                    return try s.query("EXPLAIN (COSTS OFF) EXECUTE release_probe_\(named)(\(arguments.joined(separator: ", ")))", [])
                        .compactMap { $0.string(0) }.joined(separator: "\n")
                }, store)
                #expect(generic.contains(index) && !generic.contains("declarations_awaiting_idx") && !generic.contains("Seq Scan"),
                        "\(generic)")
            }
            // A message's documents find the inventories they complete from their own numbers in
            // `awaited_numbers`, not by walking the 30,000 waiting ones.
            let guid = try #require(try await store.rawQuery("SELECT guid FROM messages ORDER BY id LIMIT 1").first?.first ?? nil)
            let named = SQLStore.awaitingNamedBySQL.replacingOccurrences(of: "$1", with: "'\(guid)'")
            let plan = try await Self.byParentIndex(
                try await store.rawQuery("EXPLAIN (COSTS OFF) \(named)").compactMap { $0.first ?? nil }.joined(separator: "\n"), store)
            #expect(plan.contains("awaited_numbers_pkey") && !plan.contains("declarations_awaiting_idx"), "\(plan)")
        }
    }

    @Test("the sweep of waiting inventories walks them and probes each by its numbers, never every stored payment, after 30,000 payments arrive unanalysed")
    func sweepProbesByNumbers() async throws {
        let store = try await makeStore(.postgresql, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let message = try await Self.analysedFixture(store)
            try await store.rawExecute("""
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, status, created_at, order_no, logistics_no)
                SELECT nextval('declaration_keys_declaration_id_seq'), k, \(message), k || n, '\(ShipmentFixture.ebpCode)', 'BULK' || k || n,
                       CASE k WHEN 'inventory' THEN 'awaiting documents' ELSE 'declared' END, 0, 'O' || n, 'L' || n
                FROM generate_series(1, 30000) n, (VALUES ('payment'), ('order'), ('logistics'), ('inventory')) kinds(k)
                WHERE k <> 'inventory' OR n <= 3000;
                \(Self.keysOfLoadedDeclarations)
                """)
            let sql = SQLStore.completedWaitingSQL(.postgresql)
                .replacingOccurrences(of: "$1", with: "0").replacingOccurrences(of: "$2", with: "1000").replacingOccurrences(of: "$3", with: "0")
            let explained = try await store.sessions.withSession { (s: any SQLSession) throws(StoreError) -> String in
                try s.writeTransaction { () throws(StoreError) -> String in
                    try s.executeScript(SQLStore.completedWaitingSettings)
                    return try s.query("EXPLAIN (ANALYZE, COSTS OFF) \(sql)", []).compactMap { $0.string(0) }.joined(separator: "\n")
                }
            }
            let plan = try await Self.byParentIndex(explained, store)
            // Every probe goes by a linked number's key, then the document by id; none walks the kind
            // index (every payment), a number's index in every partition, or scans.
            #expect(!plan.contains("declaration_keys_pkey") && Self.declarationScans(plan).isEmpty, "\(plan)")
            #expect(plan.contains("linked_numbers_pkey") && plan.contains("declarations_pkey"), "\(plan)")
            #expect(!plan.contains("declarations_order_no_idx") && !plan.contains("declarations_logistics_no_idx"), "\(plan)")
            #expect(!plan.contains("Semi Join") && !plan.contains("Hash Join"), "each EXISTS a probe per waiting inventory\n\(plan)")
            // Read in id order, so a page stops after its 1,000 (no sort of every waiting inventory).
            // Partitions' walks merged in id order (`Merge Append`), no `Sort` node.
            #expect(plan.contains("Index Scan using declarations_awaiting_idx") && !plan.contains("Sort ("), "\(plan)")
            #expect(try await store.rawQuery(sql).count == 1000, "a page of the 3,000 complete ones")
        }
    }
}
