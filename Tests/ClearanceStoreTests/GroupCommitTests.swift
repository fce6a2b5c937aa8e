import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Group commit of single flow messages (``SQLStore/ingestRouted(_:)``), on both engines: fewer
/// transactions than callers, each caller its own report, duplicates answered as before, and a
/// write the database refuses failing alone.
@Suite("Group commit")
struct GroupCommitTests {

    /// The flow's write for the order message of shipment `n`: declared, one event, one route.
    static func orderWrite(_ n: Int, destination: String = "customs") -> FlowWrite {
        let item = ShipmentFixture(n).items[0]
        return FlowWrite(
            item: item, status: .declared,
            events: [Event(kind: .validated, occurredAt: ShipmentFixture.base, messageGuid: item.message.guid, detail: "rules: test")],
            routes: [OutboxRoute(destination: destination, orderKey: ShipmentFixture(n).orderNo)])
    }

    static func prepared(_ store: SQLStore, _ write: FlowWrite) throws -> PreparedFlowWrite {
        try PreparedFlowWrite(write, masker: try #require(store.masker.get()), now: StoreClock.milliseconds(.now))
    }

    /// Makes every outbox row for destination `boom` fail at the database (as a constraint a row
    /// breaks would), so one write of a group fails after its neighbours' rows.
    static func installFailingDestination(_ store: SQLStore, _ engine: TestEngine) async throws {
        try await store.installFailingInsert(engine, on: "outbox", when: "NEW.destination = 'boom'", message: "simulated refusal")
    }

    /// Calls `ingestRouted` for every write concurrently while the store's only connection is
    /// held: the first write alone (taken by the drainer, waiting for the connection), then the
    /// others, which queue up behind it; the connection is let go once all are queued, so they
    /// commit as exactly two groups whatever the timing. Each write's result by index.
    static func ingestWhileHeld(_ store: SQLStore, _ writes: [FlowWrite]) async throws -> [Int: Result<IngestReport, StoreError>] {
        let gate = DispatchSemaphore(value: 0)
        let held = Task { try await store.session { _ in gate.wait() } }
        let results = try await withThrowingTaskGroup(of: (Int, Result<IngestReport, StoreError>).self) { tasks in
            func add(_ i: Int) {
                tasks.addTask {
                    do throws(StoreError) {
                        return (i, .success(try await store.ingestRouted(writes[i])))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            func waitUntil(_ done: () -> Bool) async throws {
                while !done() { try await Task.sleep(for: .milliseconds(5)) }
            }
            add(0)
            try await waitUntil { store.groupCommitCounts.submitted == 1 && store.groupCommitCounts.queued == 0 }
            for i in writes.indices.dropFirst() { add(i) }
            try await waitUntil { store.groupCommitCounts.submitted == writes.count }
            gate.signal()
            var byIndex: [Int: Result<IngestReport, StoreError>] = [:]
            for try await (i, result) in tasks { byIndex[i] = result }
            return byIndex
        }
        try await held.value
        return results
    }

    @Test("concurrent writes share transactions; each caller gets its own report", arguments: TestEngine.allCases)
    func concurrentWritesGroup(engine: TestEngine) async throws {
        // One connection, held by a job until every write is queued: the writes cannot commit
        // one by one while they arrive, so the grouping below does not depend on timing.
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            let writes = (0..<40).map { Self.orderWrite($0) } + [Self.orderWrite(7)] // one duplicate
            let results = try await Self.ingestWhileHeld(store, writes)
            let reports = try results.mapValues { try $0.get() }

            let counts = store.groupCommitCounts
            #expect(counts.jobs == writes.count)
            #expect(counts.groups == 2 && counts.largestGroup == 40)
            #expect(counts.retriedAlone == 0)
            for (i, write) in writes.enumerated() {
                let report = try #require(reports[i])
                #expect(report.messages.map(\.guid) == [write.item.message.guid])
                #expect(report.chunksCommitted == 1)
            }
            let statuses = writes.indices.map { reports[$0]?.messages.first?.status }
            #expect(statuses.filter { $0 == .stored }.count == 40)
            #expect(statuses.filter { $0 == .duplicate }.count == 1)
            for i in writes.indices where statuses[i] == .stored {
                #expect(reports[i]?.declarationsInserted == 1 && reports[i]?.linesInserted == 2)
            }
            #expect(try await store.count("messages") == 40)
            #expect(try await store.count("declarations", where: "status = 'declared'") == 40)
            #expect(try await store.count("outbox") == 40)
            #expect(try await store.count("events", where: "kind = 'validated'") == 40)
            #expect(try await store.count("events", where: "kind = 'routed'") == 40)
            #expect(try await store.count("events", where: "kind = 'received'") == 40)
        }
    }

    @Test("the same message twice in one group: the first is stored, the second is a duplicate", arguments: TestEngine.allCases)
    func duplicatesInOneGroup(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            _ = try await store.ingestRouted(Self.orderWrite(1))
            let group = try [Self.orderWrite(2), Self.orderWrite(3), Self.orderWrite(2), Self.orderWrite(1)].map { try Self.prepared(store, $0) }
            let answers = await store.commitRouted(group)
            let reports = try answers.map { try $0.get() }
            #expect(reports.map { $0.messages.first?.status } == [.stored, .stored, .duplicate, .duplicate])
            #expect(reports.map { $0.declarationsInserted } == [1, 1, 0, 0])
            #expect(reports.map { $0.declarationsSkipped } == [0, 0, 1, 1])
            #expect(reports[0].messages.first?.messageId == reports[2].messages.first?.messageId)
            #expect(store.groupCommitCounts.retriedAlone == 0) // one transaction, not a retry one by one
            #expect(try await store.count("messages") == 3)
            // Nothing recorded twice for the duplicates.
            #expect(try await store.count("outbox") == 3)
            #expect(try await store.count("events", where: "kind = 'validated'") == 3)
        }
    }

    @Test("a group larger than one statement's rows, with a repeat, commits as one transaction", arguments: TestEngine.allCases)
    func largeGroup(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let writes = (0..<70).map { Self.orderWrite($0) } + [Self.orderWrite(7)]
            let reports = try await store.writeRouted(try writes.map { try Self.prepared(store, $0) })
            #expect(reports.count == 71)
            #expect(reports.filter { $0.messages.first?.status == .stored }.count == 70)
            #expect(reports[70].messages.first?.status == .duplicate)
            #expect(try await store.count("outbox") == 70)
        }
    }

    @Test("a write the database refuses fails alone; its group's others are stored and answered", arguments: TestEngine.allCases)
    func failureIsolation(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            try await Self.installFailingDestination(store, engine)
            let writes = (10..<15).map { Self.orderWrite($0, destination: $0 == 12 ? "boom" : "customs") }
            let answers = await store.commitRouted(try writes.map { try Self.prepared(store, $0) })
            #expect(answers.count == 5)
            for (i, answer) in answers.enumerated() {
                switch answer {
                case .success(let report):
                    #expect(i != 2)
                    #expect(report.messages.first?.guid == writes[i].item.message.guid)
                    #expect(report.messages.first?.status == .stored)
                case .failure(let error):
                    #expect(i == 2)
                    #expect("\(error)".contains("simulated refusal"), "\(error)")
                }
            }
            #expect(store.groupCommitCounts.retriedAlone == 5)
            #expect(try await store.count("messages") == 4)
            #expect(try await store.count("outbox") == 4)
            let failed = writes[2].item.message.guid
            #expect(try await store.count("messages", where: "guid = $1", [.text(failed)]) == 0)
        }
    }

    @Test("through ingestRouted: the refused write throws, concurrent neighbours succeed", arguments: TestEngine.allCases)
    func failureIsolationThroughIngest(engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            try await Self.installFailingDestination(store, engine)
            let writes = (20..<30).map { Self.orderWrite($0, destination: $0 == 25 ? "boom" : "customs") }
            let results = try await Self.ingestWhileHeld(store, writes)
            #expect(results.filter { if case .failure = $0.value { true } else { false } }.map(\.key) == [5])
            #expect(results.count == 10)
            #expect(try await store.count("messages") == 9)
            let counts = store.groupCommitCounts
            #expect(counts.jobs == 10 && counts.groups == 2)
            #expect(counts.retriedAlone == 9) // the second group failed and was retried write by write
        }
    }

    @Test("stored answers: many in one statement, the first of a guid wins; concurrent calls share groups", arguments: TestEngine.allCases)
    func answers(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            func answer(_ guid: String, _ body: String) -> StoredAnswer {
                StoredAnswer(guid: guid, enterpriseCode: ShipmentFixture.ebpCode, httpStatus: 202, body: body, createdAt: ShipmentFixture.base)
            }
            _ = try await store.storeAnswer(answer("G-0", "first"))
            let stored = try await store.writeAnswers([answer("G-1", "one"), answer("G-0", "again"), answer("G-1", "repeat"), answer("G-2", "two")])
            #expect(stored.map(\.body) == ["one", "first", "one", "two"])
            #expect(stored.map(\.guid) == ["G-1", "G-0", "G-1", "G-2"])

            let many = try await withThrowingTaskGroup(of: StoredAnswer.self) { tasks in
                for n in 0..<30 { tasks.addTask { try await store.storeAnswer(answer("C-\(n % 25)", "body \(n)")) } }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            #expect(many.count == 30)
            // Each guid has one stored answer, and everyone asking for it got that one.
            #expect(Set(many.map(\.guid)).count == 25)
            for guid in Set(many.map(\.guid)) {
                #expect(Set(many.filter { $0.guid == guid }.map(\.body)).count == 1)
                #expect(try await store.answer(guid: guid)?.body == many.first { $0.guid == guid }?.body)
            }
            #expect(try await store.count("message_answers") == 28)
            let counts = store.answerGroups.counts
            #expect(counts.jobs == 31 && counts.retriedAlone == 0)
        }
    }

    @Test("grouping disabled: every write commits alone", arguments: TestEngine.allCases)
    func disabled(engine: TestEngine) async throws {
        let store = try #require(try await openStore(
            url: try freshURL(engine), options: StoreOptions(buyerIdSalt: testSalt, groupCommitMaxWrites: 1)) as? SQLStore)
        try await withCleanup({ await store.close() }) {
            let reports = try await withThrowingTaskGroup(of: IngestReport.self) { tasks in
                for n in 0..<6 { tasks.addTask { try await store.ingestRouted(Self.orderWrite(n)) } }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.allSatisfy { $0.messages.first?.status == .stored && $0.declarationsInserted == 1 })
            #expect(store.groupCommitCounts.groups == 0)
            #expect(try await store.count("outbox") == 6)
        }
        await #expect(throws: StoreError.self) {
            _ = try await openStore(url: try freshURL(engine), options: StoreOptions(groupCommitMaxWrites: 0))
        }
    }
}
