import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// One behaviour, two engines: every test here runs against SQLite and PostgreSQL.
@Suite("Store conformance")
struct StoreConformanceTests {

    @Test("migrations are idempotent and recorded", arguments: TestEngine.allCases)
    func migrationsIdempotent(engine: TestEngine) async throws {
        let url = try freshURL(engine)
        let first = try #require(try await openStore(url: url, options: .init(buyerIdSalt: testSalt)) as? SQLStore)
        try await withCleanup({ await first.close() }) {
            #expect(try await first.migrate() == [])
            let recorded = try await first.rawQuery("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            #expect(recorded.map { $0[0] } == Migrator.migrations(for: first.dialect).map { String($0.version) })
            #expect(recorded.allSatisfy { ($0[2]?.count ?? 0) == 64 })

            // A second process opening the same database applies nothing.
            let second = try await openStore(url: url, options: .init(buyerIdSalt: testSalt))
            #expect(try await second.migrate() == [])
            await second.close()

            // Schema usable after the repeated runs.
            let report = try await first.ingest(ShipmentFixture(1).items)
            #expect(report.declarationsInserted == 4)
        }
    }

    @Test("a fresh database applies every migration once", arguments: TestEngine.allCases)
    func freshMigration(engine: TestEngine) async throws {
        let url = try freshURL(engine)
        let store = try #require(try await openStore(url: url, options: .init(buyerIdSalt: testSalt, migrateOnOpen: false)) as? SQLStore)
        #expect(try await store.migrate() == Migrator.migrations(for: store.dialect).map(\.version))
        #expect(try await store.migrate() == [])
        await store.close()
    }

    @Test("edited migration history and newer schemas are refused", arguments: TestEngine.allCases)
    func migrationGuards(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await store.rawExecute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2")
        await #expect {
            try await store.migrate()
        } throws: { error in
            guard case StoreError.migrationChecksumMismatch(let version, _, let recorded, _) = error else { return false }
            return version == 2 && recorded == "edited"
        }
        let good = Migrator.migrations(for: engine == .sqlite ? .sqlite : .postgresql)[1].checksum
        try await store.rawExecute("UPDATE schema_migrations SET checksum = '\(good)' WHERE version = 2")
        try await store.rawExecute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (99, 'future', 'x', 0)")
        let known = Migrator.migrations(for: store.dialect).map(\.version).max() ?? 0
        await #expect(throws: StoreError.schemaTooNew(databaseVersion: 99, knownVersion: known)) { try await store.migrate() }
        await store.close()
    }

    @Test("the same message stored twice is one row and the same answer", arguments: TestEngine.allCases)
    func messageIdempotency(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let fixture = ShipmentFixture(7)
        let first = try await store.ingest(fixture.items)
        let second = try await store.ingest(fixture.items)
        #expect(first.messages.map(\.status) == Array(repeating: .stored, count: 4))
        #expect(second.messages.map(\.status) == Array(repeating: .duplicate, count: 4))
        #expect(first.messages.map(\.messageId) == second.messages.map(\.messageId))
        #expect(first.messages.map(\.storedSHA256) == second.messages.map(\.storedSHA256))
        #expect(second.declarationsInserted == 0 && second.declarationsSkipped == 4)
        #expect(second.linesInserted == 0 && second.linesSkipped == 4)
        #expect(try await store.count("messages") == 4)
        #expect(try await store.count("declarations") == 4)
        #expect(try await store.count("declaration_lines") == 4)
        #expect(try await store.count("events", where: "kind = 'received'") == 4)

        // Same guid, different bytes: first copy kept, conflict reported.
        var altered = fixture.items[0]
        altered.message = MessageRecord(
            guid: altered.message.guid, messageType: "CEB311", senderCode: altered.message.senderCode,
            direction: .inbound, receivedAt: .now, rawBytes: Array("<other/>".utf8), signatureVerdict: "valid")
        let conflict = try await store.ingest([altered])
        #expect(conflict.messages.first?.status == .guidConflict)
        #expect(conflict.messages.first?.messageId == first.messages.first?.messageId)
        #expect(conflict.messages.first?.storedSHA256 == fixture.items[0].message.sha256)

        // A resend of the same declaration (same sender + copNo) in a new envelope: one declaration.
        var resent = fixture.items[3]
        resent.message.guid = ShipmentFixture.guid("RESEND", 7)
        resent.declarations[0].messageGuid = resent.message.guid
        let resend = try await store.ingest([resent])
        #expect(resend.messages.first?.status == .stored)
        #expect(resend.declarationsInserted == 0)
        #expect(try await store.count("declarations", where: "cop_no = $1", [.text(fixture.copNo)]) == 1)

        // A modification (appType 2) is kept as its own revision, once.
        var modified = resent
        modified.message.guid = ShipmentFixture.guid("MODIFY", 7)
        modified.declarations[0].messageGuid = modified.message.guid
        modified.declarations[0].declarationGuid = ShipmentFixture.guid("IHEADM", 7)
        modified.declarations[0].appType = "2"
        #expect(try await store.ingest([modified]).declarationsInserted == 1)
        #expect(try await store.ingest([modified]).declarationsInserted == 0)
        #expect(try await store.count("declarations", where: "cop_no = $1", [.text(fixture.copNo)]) == 2)
        await store.close()
    }

    @Test("raw bytes come back exactly as received", arguments: TestEngine.allCases)
    func rawRoundTrip(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        // GBK-declared document bytes, a NUL, CR/LF, tab and backslash: stored byte for byte.
        var bytes = Array("<?xml version=\"1.0\" encoding=\"GBK\"?>\r\n<a>\t\\</a>".utf8) + [0x00, 0xC4, 0xE3, 0xBA, 0xC3, 0xFF]
        bytes += (0..<256).map { UInt8($0) }
        let message = MessageRecord(
            guid: "ABCDEF01-2345-4678-9ABC-DEF012345678", messageType: "CEB311", senderCode: "3501960001",
            direction: .outbound, receivedAt: Date(timeIntervalSince1970: 1_764_000_000.123), rawBytes: bytes,
            signatureVerdict: "unsigned")
        _ = try await store.ingest([IngestItem(message: message)])
        let stored = try #require(try await store.message(guid: message.guid))
        #expect(stored == message)
        #expect(stored.sha256 == SHA256Digest.hex(of: bytes))
        #expect(try await store.message(guid: "NOT-STORED") == nil)
        await store.close()
    }

    @Test("a delivery round's messages read in one go: whole small ones, never a larger, incomplete or unknown one",
          arguments: TestEngine.allCases)
    func messagesReadAhead(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let items = (1...3).flatMap { ShipmentFixture($0).items.prefix(1) }
            _ = try await store.ingest(items)
            let guids = items.map(\.message.guid)
            let sizes = items.map(\.message.rawBytes.count)
            let all = try await store.messages(guids: guids + ["NOT-STORED", guids[0]], maxBytes: sizes.max()!)
            #expect(all.count == 3)
            for guid in guids { #expect(try all[guid] == (try await store.message(guid: guid)), "\(guid) as read alone") }
            // Larger than the bound: left to its own read.
            let small = try await store.messages(guids: guids, maxBytes: sizes.max()! - 1)
            #expect(small.count < 3 && Set(small.keys) == Set(guids.indices.filter { sizes[$0] < sizes.max()! }.map { guids[$0] }))
            // An interrupted ingest: left to its own read, which says why.
            try await store.rawExecute("UPDATE messages SET complete = 0 WHERE guid = '\(guids[1])'")
            #expect(try await store.messages(guids: guids, maxBytes: sizes.max()!).keys.sorted() == [guids[0], guids[2]].sorted())
            await #expect(throws: StoreError.self) { _ = try await store.message(guid: guids[1]) }
            #expect(try await store.messages(guids: [], maxBytes: 1 << 20).isEmpty)
        }
    }

    @Test("inconsistent input is refused before anything is written", arguments: TestEngine.allCases)
    func invalidInput(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        var item = ShipmentFixture(3).items[0]
        item.declarations[0].messageGuid = "SOMETHING-ELSE"
        await #expect(throws: StoreError.self) { try await store.ingest([item]) }
        var duplicateLines = ShipmentFixture(3).items[0]
        duplicateLines.declarations[0].lines[1].gnum = 1
        await #expect(throws: StoreError.self) { try await store.ingest([duplicateLines]) }
        #expect(try await store.count("messages") == 0)
        await store.close()
    }

    @Test("chunked bulk ingest of 20,000 declarations; re-run and overlap add nothing", arguments: TestEngine.allCases)
    func bulkIngest(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let fixtures = shipments(0..<5_000)
        let items = fixtures.flatMap(\.items)
        #expect(items.count == 20_000)

        let clock = ContinuousClock()
        var report = IngestReport()
        let elapsed = try await clock.measure {
            report = try await store.ingest(items, chunkSize: 2_000)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("[measure] \(engine) bulk ingest: 20000 messages + 20000 declarations + 20000 lines in \(String(format: "%.2f", seconds)) s = \(Int(20_000 / seconds)) declarations/s")
        #expect(report.chunksCommitted == 10)
        #expect(report.declarationsInserted == 20_000)
        #expect(report.linesInserted == 20_000)
        #expect(report.messages.allSatisfy { $0.status == .stored })
        #expect(Set(report.messages.map(\.messageId)).count == 20_000)

        // Re-run: nothing new, same ids.
        let rerunStart = clock.now
        let rerun = try await store.ingest(items, chunkSize: 2_000)
        print("[measure] \(engine) re-run of the same 20000: \(clock.now - rerunStart)")
        #expect(rerun.declarationsInserted == 0 && rerun.declarationsSkipped == 20_000)
        #expect(rerun.linesInserted == 0 && rerun.linesSkipped == 20_000)
        #expect(rerun.messages.allSatisfy { $0.status == .duplicate })
        #expect(rerun.messages.map(\.messageId) == report.messages.map(\.messageId))

        // Overlapping range: only the new half is inserted.
        let overlap = try await store.ingest(shipments(4_500..<5_500).flatMap(\.items), chunkSize: 700)
        #expect(overlap.declarationsInserted == 2_000 && overlap.declarationsSkipped == 2_000)
        #expect(try await store.count("messages") == 22_000)
        #expect(try await store.count("declarations") == 22_000)
        #expect(try await store.count("declaration_lines") == 22_000)
        #expect(try await store.count("events", where: "kind = 'received'") == 22_000)
        #expect(try await store.count("declarations", where: "kind = 'inventory'") == 5_500)

        // Values survive the round trip exactly (tab and backslash in names, decimals, bytes).
        let f = fixtures[4_321]
        let line = try await store.rawQuery("""
            SELECT l.item_name, l.price, l.total_price, l.qty FROM declaration_lines l
            JOIN declarations d ON d.id = l.declaration_id
            WHERE d.order_no = $1 AND d.kind = 'order' AND l.gnum = 2
            """, [.text(f.orderNo)])
        #expect(line.count == 1)
        #expect(line.first?[0] == "奶粉 Milk powder 2\tstage\\2")
        // SQLite keeps scaled integers, PostgreSQL NUMERIC(19,5) text.
        func decimal(_ i: Int) -> FixedDecimal? {
            guard let text = line.first?[i] else { return nil }
            return engine == .sqlite ? Int64(text).map(FixedDecimal.init(scaled:)) : FixedDecimal(text)
        }
        #expect(decimal(1) == FixedDecimal("199.9"))
        #expect(decimal(2) == FixedDecimal("399.8"))
        #expect(decimal(3) == FixedDecimal("2"))
        if engine == .postgresql { #expect(line.first?[1] == "199.90000") }
        let raw = try await store.rawQuery("SELECT sha256 FROM messages WHERE guid = $1", [.text(f.items[2].message.guid)])
        #expect(raw.first?[0] == f.items[2].message.sha256)
        await store.close()
    }

    @Test("a chunk that fails mid-way leaves whole chunks only; re-running completes without duplicates", arguments: TestEngine.allCases)
    func chunkAtomicity(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        // A trigger that fails one declaration in the third chunk, as a crash would mid-transaction.
        try await store.installFailingInsert(engine, on: "declarations", when: "NEW.order_no = 'ORD0000000250'", message: "simulated crash")
        let items = shipments(0..<300).flatMap(\.items) // 1,200 items, chunks of 400 → the failure is in chunk 3
        await #expect(throws: StoreError.self) { try await store.ingest(items, chunkSize: 400) }
        #expect(try await store.count("messages") == 800)
        #expect(try await store.count("declarations") == 800)
        #expect(try await store.count("declaration_lines") == 800)
        #expect(try await store.count("events") == 800)

        try await store.rawExecute("DROP TRIGGER boom" + (engine == .postgresql ? " ON declarations" : ""))
        let rerun = try await store.ingest(items, chunkSize: 400)
        #expect(rerun.declarationsInserted == 400)
        #expect(rerun.messages.filter { $0.status == .stored }.count == 400)
        #expect(try await store.count("messages") == 1_200)
        #expect(try await store.count("declarations") == 1_200)
        #expect(try await store.count("declaration_lines") == 1_200)
        #expect(try await store.count("events") == 1_200)
        await store.close()
    }

    @Test("trace by every key kind returns the masked timeline; no raw ID or phone in any column", arguments: TestEngine.allCases)
    func trace(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let fixtures = shipments(0..<50)
        _ = try await store.ingest(fixtures.flatMap(\.items))
        let f = fixtures[17]

        // Receipts (out of order: 800 arrives before 120) and pipeline events.
        let (released, releasedReceipt) = f.inventoryReceipt(status: "800", time: "20261125120000000", offset: 200)
        let (accepted, acceptedReceipt) = f.inventoryReceipt(status: "120", time: "20261125110000000", offset: 100)
        _ = try await store.ingest([released, accepted])
        let outcomes = try await store.storeReceipts([releasedReceipt, acceptedReceipt])
        #expect(outcomes.allSatisfy { $0.inserted && $0.declarationId != nil })
        #expect(try await store.storeReceipts([releasedReceipt]).first?.inserted == false)
        let validated = Event(kind: .validated, occurredAt: ShipmentFixture.base.addingTimeInterval(17.5),
                              messageGuid: f.items[3].message.guid, detail: "rules ok", dedupKey: "validated:\(f.items[3].message.guid)")
        let eventId = try await store.appendEvent(validated)
        #expect(try await store.appendEvent(validated) == eventId)
        try await store.enqueueOutbox(messageGuid: f.items[3].message.guid, destination: "customs", notBefore: ShipmentFixture.base)

        let keys: [TraceKey] = [
            .orderNo(f.orderNo), .logisticsNo(f.logisticsNo), .invtNo(f.invtNo), .copNo(f.copNo),
            .guid(f.items[1].message.guid), .guid(ShipmentFixture.guid("LHEAD", 17)), .guid(released.message.guid),
        ]
        for key in keys {
            let timeline = try #require(try await store.trace(key), "no timeline for \(key)")
            #expect(Set(timeline.declarations.map(\.kind)) == [.order, .payment, .logistics, .inventory], "\(key)")
            #expect(timeline.declarations.allSatisfy { $0.orderNo == f.orderNo || $0.logisticsNo == f.logisticsNo }, "\(key)")
            #expect(Set(timeline.messages.map(\.messageType)) == ["CEB311", "CEB411", "CEB511", "CEB621", "CEB622"], "\(key)")
            #expect(timeline.receipts.map(\.returnStatus) == ["120", "800"], "\(key)")
            #expect(timeline.deliveries.map(\.destination) == ["customs"], "\(key)")
            let kinds = timeline.events.map(\.kind.rawValue)
            #expect(kinds.filter { $0 == "received" }.count == 6, "\(key)")
            #expect(kinds.contains("validated") && kinds.contains("routed"), "\(key)")
            #expect(timeline.events.filter { $0.kind == .receipt }.map(\.code) == ["120", "800"], "\(key)")
            #expect(timeline.events.map(\.occurredAt) == timeline.events.map(\.occurredAt).sorted(), "\(key)")
            let inventory = try #require(timeline.declarations.first { $0.kind == .inventory })
            #expect(inventory.status == "800", "newest receipt wins although it arrived first")
            #expect(inventory.lineCount == 2)
            #expect(inventory.goodsValue == FixedDecimal("599.7"))
            for d in timeline.declarations where d.kind != .logistics {
                #expect(d.buyerIdMasked == BuyerIdentityMasker.maskIdNumber(f.buyerId))
                #expect(d.buyerIdMasked?.hasPrefix("3501") == true && d.buyerIdMasked?.contains("**********") == true)
                #expect(d.buyerTelephoneMasked == "138****" + f.phone.suffix(4))
            }
        }
        #expect(try await store.trace(.orderNo("NO-SUCH-ORDER")) == nil)
        #expect(try await store.trace(.guid("00000000-0000-0000-0000-000000000000")) == nil)

        // The same buyer hashes the same on order, payment and inventory.
        let hashes = try await store.rawQuery(
            "SELECT DISTINCT buyer_id_hash FROM declarations WHERE order_no = $1 AND buyer_id_hash IS NOT NULL", [.text(f.orderNo)])
        #expect(hashes.count == 1)
        #expect(hashes.first?[0] == (try BuyerIdentityMasker(salt: testSalt)).hash(idNumber: f.buyerId))

        // Proof: no raw buyer ID or phone in any column of any table. The raw bytes are the document
        // exactly as received (they do carry them) and are the one deliberate exception: parts
        // (`message_parts.bytes` and, on PostgreSQL, its partitions), and the head's `raw` that
        // held them before 7 Dec (empty now).
        let columns: [[String?]] = switch engine {
        case .sqlite:
            try await store.rawQuery(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'")
        case .postgresql:
            try await store.rawQuery(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")
        }
        #expect(columns.count > 80)
        for fixture in fixtures.prefix(20) {
            for secret in [fixture.buyerId, fixture.phone] {
                for column in columns {
                    guard let table = column[0], let name = column[1], !(table == "messages" && name == "raw"),
                          !(table.hasPrefix("message_parts") && name == "bytes") else { continue }
                    let hits = try await store.count(table, where: "CAST(\(name) AS TEXT) LIKE $1", [.text("%\(secret)%")])
                    #expect(hits == 0, "\(secret) found in \(table).\(name)")
                }
            }
            let guid = fixture.items[0].message.guid
            let rawHits = try await store.count(
                "message_parts", where: "message_id = (SELECT id FROM messages WHERE guid = $1) AND length(bytes) > 0", [.text(guid)])
            #expect(rawHits == 1)
            #expect(try await store.count("messages", where: "guid = $1 AND length(raw) = 0", [.text(guid)]) == 1)
        }
        await store.close()
    }

    @Test("stats count messages, declarations by kind and status, and outbox depth", arguments: TestEngine.allCases)
    func stats(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let fixtures = shipments(0..<30)
        _ = try await store.ingest(fixtures.flatMap(\.items))
        for f in fixtures.prefix(5) {
            let (item, receipt) = f.inventoryReceipt(status: "120", time: "20261125110000000")
            _ = try await store.ingest([item])
            _ = try await store.storeReceipts([receipt])
        }
        for f in fixtures.prefix(12) {
            try await store.enqueueOutbox(messageGuid: f.items[3].message.guid, destination: "customs", notBefore: ShipmentFixture.base)
        }
        let claimed = try await store.claimOutbox(limit: 3, lease: 60, now: ShipmentFixture.base)
        try await store.completeOutbox(id: claimed[0].id, now: ShipmentFixture.base)
        try await store.failOutbox(id: claimed[1].id, error: "HTTP 503", retryAt: nil, now: ShipmentFixture.base)

        let stats = try await store.stats()
        #expect(stats.messageTotal == 125)
        #expect(stats.messages.first { $0.messageType == "CEB621" }?.count == 30)
        #expect(stats.messages.first { $0.messageType == "CEB622" }?.count == 5)
        #expect(stats.declarationTotal == 120)
        #expect(stats.declarations.first { $0.kind == .inventory && $0.status == "120" }?.count == 5)
        #expect(stats.declarations.first { $0.kind == .inventory && $0.status == "received" }?.count == 25)
        #expect(stats.declarations.first { $0.kind == .order && $0.status == "received" }?.count == 30)
        #expect(stats.declarationLines == 120)
        #expect(stats.receipts == 5)
        #expect(stats.outbox == [.pending: 9, .inFlight: 1, .delivered: 1, .dead: 1])
        #expect(stats.outboxDepth == 10)
        // received ×125, receipt ×5, routed ×12, delivered ×1
        #expect(stats.events == 143)
        await store.close()
    }

    /// The delivery worker records a round's successes in one call (one commit): rows still in
    /// flight become delivered with one event each; a row another worker failed meanwhile is
    /// reported with its status and left as it is; a repeated completion changes nothing.
    @Test("outbox: a round's deliveries complete together, stale rows reported and left", arguments: TestEngine.allCases)
    func outboxCompletesARoundTogether(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let f = ShipmentFixture(4)
        _ = try await store.ingest(f.items)
        let t0 = ShipmentFixture.base
        for item in f.items {
            _ = try await store.enqueueOutbox(messageGuid: item.message.guid, destination: "customs", notBefore: t0)
        }
        let claimed = try await store.claimOutbox(limit: 10, lease: 30, now: t0)
        #expect(claimed.count == 4)
        _ = try await store.failOutbox(id: claimed[3].id, error: "refused", retryAt: nil, now: t0.addingTimeInterval(1))
        let stale = try await store.completeOutbox(ids: claimed.map(\.id), now: t0.addingTimeInterval(2))
        #expect(stale == [claimed[3].id: .dead])
        #expect(try await store.completeOutbox(ids: claimed.prefix(3).map(\.id), now: t0.addingTimeInterval(3)).isEmpty,
                "completing delivered rows again is a no-op")
        let delivered = try await store.outboxEntries(status: .delivered, limit: 10)
        #expect(Set(delivered.map(\.id)) == Set(claimed.prefix(3).map(\.id)))
        #expect(try await store.outboxEntries(status: .dead, limit: 10).map(\.id) == [claimed[3].id])
        for entry in claimed.prefix(3) {
            let timeline = try #require(try await store.trace(.guid(entry.messageGuid)))
            #expect(timeline.events.filter { $0.kind == .delivered && $0.messageGuid == entry.messageGuid }.count == 1,
                    "one delivered event per row, not one per call")
        }
        await #expect(throws: StoreError.notFound("outbox entry 999999")) {
            _ = try await store.completeOutbox(ids: [claimed[0].id, 999_999], now: t0)
        }
        await store.close()
    }

    @Test("outbox: idempotent enqueue, leases, retries, dead letters", arguments: TestEngine.allCases)
    func outboxLifecycle(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        let f = ShipmentFixture(5)
        _ = try await store.ingest(f.items)
        let t0 = ShipmentFixture.base
        let a = try await store.enqueueOutbox(messageGuid: f.items[0].message.guid, destination: "customs", notBefore: t0)
        let again = try await store.enqueueOutbox(messageGuid: f.items[0].message.guid, destination: "customs", notBefore: t0.addingTimeInterval(99))
        #expect(a == again)
        _ = try await store.enqueueOutbox(messageGuid: f.items[1].message.guid, destination: "customs", notBefore: t0)
        _ = try await store.enqueueOutbox(messageGuid: f.items[2].message.guid, destination: "customs", notBefore: t0.addingTimeInterval(3_600))
        await #expect(throws: StoreError.notFound("message NOPE")) {
            try await store.enqueueOutbox(messageGuid: "NOPE", destination: "customs", notBefore: t0)
        }

        let claimed = try await store.claimOutbox(limit: 10, lease: 30, now: t0)
        #expect(claimed.count == 2, "the entry due in an hour is not claimed")
        #expect(claimed.allSatisfy { $0.status == .inFlight && $0.attempts == 1 })
        #expect(try await store.claimOutbox(limit: 10, lease: 30, now: t0.addingTimeInterval(10)).isEmpty, "leased")

        let reclaimed = try await store.claimOutbox(limit: 1, lease: 30, now: t0.addingTimeInterval(31))
        #expect(reclaimed.count == 1 && reclaimed[0].attempts == 2, "an expired lease is claimable again")

        let retry = try await store.failOutbox(id: claimed[1].id, error: "timeout", retryAt: t0.addingTimeInterval(120), now: t0.addingTimeInterval(40))
        #expect(retry.status == .pending && retry.lastError == "timeout")
        await #expect(throws: StoreError.self) { try await store.completeOutbox(id: claimed[1].id, now: t0) }

        try await store.completeOutbox(id: reclaimed[0].id, now: t0.addingTimeInterval(41))
        try await store.completeOutbox(id: reclaimed[0].id, now: t0.addingTimeInterval(42)) // idempotent
        await #expect(throws: StoreError.notFound("outbox entry 999999")) { try await store.completeOutbox(id: 999_999, now: t0) }

        let later = try await store.claimOutbox(limit: 10, lease: 30, now: t0.addingTimeInterval(4_000))
        #expect(Set(later.map(\.messageGuid)) == [f.items[1].message.guid, f.items[2].message.guid])
        // The worker names the entry's message (its outbox partition on PostgreSQL); another message's id finds nothing.
        await #expect(throws: StoreError.notFound("outbox entry \(later[0].id)")) {
            try await store.failOutbox(id: later[0].id, messageId: later[1].messageId, error: "rejected", retryAt: nil, now: t0)
        }
        let dead = try await store.failOutbox(
            id: later[0].id, messageId: later[0].messageId, error: "rejected", retryAt: nil, now: t0.addingTimeInterval(4_001))
        #expect(dead.status == .dead && dead.lastError == "rejected")
        await #expect(throws: StoreError.invalidInput("outbox entry \(later[0].id) is dead, not in flight")) {
            try await store.failOutbox(id: later[0].id, error: "again", retryAt: nil, now: t0)
        }
        await store.close()
    }

    @Test("a message refused for its signature frees its declarations' keys: the same declarations in another message are new", arguments: TestEngine.allCases)
    func refusedForSignatureFreesKeys(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let refused = ShipmentFixture(1).items[0]
            #expect(try await store.ingest([refused]).declarationsInserted == 1)
            #expect(try await store.refuseUnsignedMessage(messageGuid: refused.message.guid, fromStatus: .received, events: [
                Event(kind: .rejected, occurredAt: Date(), messageGuid: refused.message.guid, code: "SIG003", detail: "signed by another key")]) == 1)
            // The same declaration, in a message of its own (as a correctly signed resend is).
            var resent = refused
            resent.message.guid = ShipmentFixture.guid("RESENT", 1)
            resent.declarations = refused.declarations.map { var d = $0; d.messageGuid = resent.message.guid; return d }
            #expect(try await store.ingest([resent]).declarationsInserted == 1, "not a duplicate of the refused one")
            let key = try #require(refused.declarations.first?.dedupKey)
            let rows = try await store.rawQuery("SELECT status, dedup_key FROM declarations ORDER BY id")
            #expect(rows == [["refused", key + "|refused|" + refused.message.guid], ["received", key]], "\(rows)")
            // Sent a third time it is a duplicate again, of the stored one.
            var third = resent
            third.message.guid = ShipmentFixture.guid("THIRD", 1)
            third.declarations = resent.declarations.map { var d = $0; d.messageGuid = third.message.guid; return d }
            #expect(try await store.ingest([third]).declarationsInserted == 0)
        }
    }

    @Test("concurrent claimers never receive the same outbox row", arguments: TestEngine.allCases)
    func concurrentClaims(engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 6)
        let fixtures = shipments(0..<60)
        _ = try await store.ingest(fixtures.flatMap(\.items))
        for f in fixtures {
            for item in f.items {
                try await store.enqueueOutbox(messageGuid: item.message.guid, destination: "customs", notBefore: ShipmentFixture.base)
            }
        }
        let now = ShipmentFixture.base.addingTimeInterval(1)
        let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let batch = try await store.claimOutbox(limit: 7, lease: 600, now: now)
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.id)
                        // A pause between claims, so one claimer cannot take every row before the
                        // others are scheduled on a loaded machine (seen once while a build ran beside).
                        try await Task.sleep(nanoseconds: 2_000_000)
                    }
                }
            }
            var all: [[Int64]] = []
            for try await ids in group { all.append(ids) }
            return all
        }
        let flat = claims.flatMap { $0 }
        #expect(flat.count == 240)
        #expect(Set(flat).count == 240, "a row was claimed twice")
        if engine == .postgresql {
            #expect(claims.filter { !$0.isEmpty }.count > 1, "claims should be spread over several connections")
        }
        #expect(try await store.count("outbox", where: "status = 'in-flight' AND attempts = 1") == 240)
        await store.close()
    }

    @Test("events are append-only", arguments: TestEngine.allCases)
    func eventsAppendOnly(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        _ = try await store.ingest(ShipmentFixture(1).items)
        await #expect(throws: StoreError.self) { try await store.rawExecute("UPDATE events SET kind = 'x'") }
        await #expect(throws: StoreError.self) { try await store.rawExecute("DELETE FROM events") }
        #expect(try await store.count("events") == 4)
        await #expect(throws: StoreError.invalidInput("an event needs a messageGuid or a declarationGuid")) {
            try await store.appendEvent(Event(kind: .signed, occurredAt: .now))
        }
        let id = try await store.appendEvent(Event(kind: .signed, occurredAt: .now, declarationGuid: ShipmentFixture.guid("IHEAD", 1)))
        #expect(id > 0)
        await store.close()
    }

    @Test("without a configured salt a per-database salt is created once and reused", arguments: TestEngine.allCases)
    func databaseSalt(engine: TestEngine) async throws {
        let url = try freshURL(engine)
        let first = try #require(try await openStore(url: url, options: .init(buyerIdSalt: nil)) as? SQLStore)
        _ = try await first.ingest(ShipmentFixture(2).items)
        let salt = try await first.rawQuery("SELECT value FROM store_settings WHERE key = 'buyer_id_salt'")
        #expect(salt.count == 1 && salt.first?[0]?.count == 64)
        await first.close()
        let second = try #require(try await openStore(url: url, options: .init(buyerIdSalt: nil)) as? SQLStore)
        var again = ShipmentFixture(2).items[0]
        again.message.guid = ShipmentFixture.guid("OTHER", 2)
        again.declarations[0].messageGuid = again.message.guid
        again.declarations[0].orderNo = "ORDER-OTHER"
        _ = try await second.ingest([again])
        let hashes = try await second.rawQuery("SELECT DISTINCT buyer_id_hash FROM declarations WHERE kind = 'order'")
        #expect(hashes.count == 1, "same buyer, same hash across processes")
        await second.close()
    }

    @Test("a closed store refuses work", arguments: TestEngine.allCases)
    func closed(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        await store.close()
        await #expect(throws: StoreError.closed) { try await store.stats() }
    }
}
