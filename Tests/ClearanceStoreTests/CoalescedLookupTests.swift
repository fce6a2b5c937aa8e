import ClearanceRules
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The per-message look-ups (``StoreLookups``) asked by many requests at once, on both engines:
/// one read answers a crowd of callers, and each still gets exactly its own answer — a revoked or
/// unknown key nothing, another caller's key never.
@Suite("Coalesced look-ups")
struct CoalescedLookupTests {
    private func hash(_ n: Int) -> String { String(format: "%064x", n) }

    /// Starts `count` look-ups while the store's only connection is held: the first alone (its
    /// read taken, waiting for the connection), then the others, which queue behind it; lets the
    /// connection go once all are asked, so they are read in exactly two reads whatever the
    /// timing. `counts` are the look-up's. Results by index.
    static func askWhileHeld<T: Sendable>(
        _ store: SQLStore, count: Int, counts: @escaping @Sendable () -> GroupCommitCounts,
        _ ask: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [Int: T] {
        let gate = DispatchSemaphore(value: 0)
        let held = Task { try await store.session { _ in gate.wait() } }
        let first = counts().submitted
        let results = try await withThrowingTaskGroup(of: (Int, T).self) { tasks in
            func waitUntil(_ done: () -> Bool) async throws {
                while !done() { try await Task.sleep(for: .milliseconds(5)) }
            }
            tasks.addTask { (0, try await ask(0)) }
            try await waitUntil { counts().submitted == first + 1 && counts().queued == 0 }
            for i in 1..<count { tasks.addTask { (i, try await ask(i)) } }
            try await waitUntil { counts().submitted == first + count }
            gate.signal()
            var byIndex: [Int: T] = [:]
            for try await (i, value) in tasks { byIndex[i] = value }
            return byIndex
        }
        try await held.value
        return results
    }

    @Test("forty API keys and twelve enterprise codes asked at once: two reads each, each caller its own enterprise, revoked and unknown keys none",
          arguments: TestEngine.allCases)
    func apiKeys(engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            for code in ["ENT0", "ENT1", "ENT2"] {
                try await store.upsertEnterprise(EnterpriseRecord(code: code, name: "Enterprise \(code)", role: .merchant))
            }
            // Key n belongs to ENT(n % 3); keys 30… are unknown; key 7 is revoked.
            for n in 0..<30 {
                _ = try await store.createAPIKey(enterpriseCode: "ENT\(n % 3)", keyHash: hash(n), prefix: "clr_\(n)", now: .now)
            }
            #expect(try await store.revokeAPIKey(enterpriseCode: "ENT1", prefix: "clr_7", now: .now) == 1)
            let before = store.lookups.enterpriseByKeyHash.counts
            let found = try await Self.askWhileHeld(store, count: 40, counts: { store.lookups.enterpriseByKeyHash.counts }) { n in try await store.enterprise(apiKeyHash: self.hash(n).uppercased())?.code }
            for n in 0..<40 {
                #expect(found[n] == .some(n < 30 && n != 7 ? "ENT\(n % 3)" : nil), "key \(n)")
            }
            let counts = store.lookups.enterpriseByKeyHash.counts
            #expect(counts.groups - before.groups == 2, "the first caller's read, then one for the 39 queued behind it")
            #expect(counts.largestGroup == 39)

            // Enterprises by code (every message's signer), many callers asking the same few codes.
            let byCode = try await Self.askWhileHeld(store, count: 12, counts: { store.lookups.enterpriseByCode.counts }) { n in
                try await store.enterprise(code: "ENT\(n % 4)")?.name
            }
            for n in 0..<12 { #expect(byCode[n] == .some(n % 4 < 3 ? "Enterprise ENT\(n % 4)" : nil), "code \(n)") }
            #expect(store.lookups.enterpriseByCode.counts.groups == 2)
            // A read asked after a write sees it (a coalesced read starts after its callers ask).
            try await store.upsertEnterprise(EnterpriseRecord(code: "ENT3", name: "Late", role: .merchant))
            #expect(try await store.enterprise(code: "ENT3")?.name == "Late")
        }
    }

    @Test("stored answers and credit entries asked at once: each caller only its own rows", arguments: TestEngine.allCases)
    func answersAndCredit(engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            for n in 0..<10 {
                _ = try await store.storeAnswer(StoredAnswer(guid: "G-\(n)", enterpriseCode: "ENT", httpStatus: 200 + n, body: "{\"n\":\(n)}"))
            }
            let answers = try await Self.askWhileHeld(store, count: 20, counts: { store.lookups.answerByGuid.counts }) { n in
                try await store.answer(guid: "G-\(n)")?.httpStatus
            }
            for n in 0..<20 { #expect(answers[n] == .some(n < 10 ? 200 + n : nil), "answer \(n)") }
            #expect(store.lookups.answerByGuid.counts.groups == 2)

            let entries = (0..<6).map { CreditEntry(code: "CODE\($0)", grade: $0 % 2 == 0 ? .dishonest : .generalCredit, source: "list") }
            _ = try await store.replaceCreditList(entries, record: CreditImport(
                actor: "test", fileName: "list.csv", fileSHA256: String(repeating: "ab", count: 32), entries: entries.count,
                grades: Dictionary(grouping: entries, by: \.grade).mapValues(\.count)))
            // Caller n asks for CODE n, CODE n+1 and a code not listed; neighbours overlap.
            let credit = try await Self.askWhileHeld(store, count: 8, counts: { store.lookups.creditByCode.counts }) { n in
                try await store.creditEntries(codes: ["CODE\(n)", "CODE\(n + 1)", "NONE\(n)"]).map(\.code)
            }
            for n in 0..<8 {
                #expect(credit[n] == ["CODE\(n)", "CODE\(n + 1)"].filter { code in entries.contains { $0.code == code } }, "caller \(n)")
            }
            #expect(store.lookups.creditByCode.counts.groups == 2)
        }
    }

    @Test("waiting inventories asked by many messages at once: a number matches only the column it was asked for",
          arguments: TestEngine.allCases)
    func awaitingInventories(engine: TestEngine) async throws {
        let store = try await makeStore(engine, poolSize: 1)
        try await withCleanup({ await store.close() }) {
            try await store.rawExecute("""
                INSERT INTO message_keys (guid, sha256) VALUES ('M-1', 'x'), ('M-2', 'x');
                INSERT INTO messages (id, guid, message_type, sender_code, direction, received_at, sha256, raw, signature_verdict)
                SELECT message_id, guid, 'CEB621', 'ENT', 'inbound', 0, 'x', '', 'valid' FROM message_keys;
                INSERT INTO declaration_keys (kind, sender_code, dedup_key)
                VALUES ('inventory', 'ENT', 'K1'), ('inventory', 'ENT', 'K2'), ('inventory', 'ENT', 'K3'), ('inventory', 'ENT', 'K4');
                INSERT INTO declarations (id, kind, message_id, declaration_guid, sender_code, dedup_key, order_no, logistics_no, status, created_at)
                SELECT k.declaration_id, 'inventory', (SELECT id FROM messages WHERE guid = v.column1), v.column2, 'ENT', k.dedup_key,
                       v.column3, v.column4, v.column5, 0
                FROM (VALUES ('M-1', 'I-1', 'O-1', 'L-1', 'awaiting documents', 'K1'), ('M-1', 'I-2', 'X-9', 'O-2', 'awaiting documents', 'K2'),
                             ('M-2', 'I-3', 'O-3', 'L-3', 'declared', 'K3'), ('M-2', 'I-4', 'O-4', 'L-1', 'awaiting documents', 'K4')) v
                JOIN declaration_keys k ON k.dedup_key = v.column6;
                """)
            let asks: [(order: String?, logistics: String?, found: [String: Set<String>])] = [
                ("O-1", nil, ["M-1": ["I-1"]]),
                (nil, "L-1", ["M-1": ["I-1"], "M-2": ["I-4"]]),
                ("O-2", nil, [:]),                     // I-2's logistics number, asked as an order number
                (nil, "O-2", ["M-1": ["I-2"]]),
                ("O-3", "L-3", [:]),                   // not waiting
                ("O-4", "L-1", ["M-1": ["I-1"], "M-2": ["I-4"]]),
                ("O-9", "L-9", [:]),
            ]
            let found = try await Self.askWhileHeld(store, count: asks.count, counts: { store.lookups.awaitingByNumber.counts }) { n in
                try await store.awaitingInventories(orderNo: asks[n].order, logisticsNo: asks[n].logistics)
            }
            for (n, ask) in asks.enumerated() { #expect(found[n] == ask.found, "ask \(n): \(ask)") }
            #expect(store.lookups.awaitingByNumber.counts.groups == 2)
            #expect(try await store.awaitingInventories(orderNo: nil, logisticsNo: nil).isEmpty)
        }
    }

    @Test("a shared read that fails is read again caller by caller: only the caller of the bad key gets the error")
    func failureIsolated() async throws {
        /// Reads "bad" as an error; holds the first read until `released`, so the rest queue behind it.
        final class Reads: Sendable {
            let calls = LockedValue<[[String]]>([])
            let released = LockedValue(false)
        }
        let reads = Reads()
        let lookup = CoalescedLookup<String, Int> { keys throws(StoreError) in
            let first = reads.calls.withValue { calls -> Bool in
                calls.append(keys.sorted())
                return calls.count == 1
            }
            while first && !reads.released.get() { try? await Task.sleep(for: .milliseconds(2)) }
            if keys.contains("bad") { throw .invalidInput("cannot read bad") }
            return keys.map { ($0, $0.count) }
        }
        func waitUntil(_ done: () -> Bool) async throws {
            while !done() { try await Task.sleep(for: .milliseconds(2)) }
        }
        let results = try await withThrowingTaskGroup(of: (String, Result<Int?, StoreError>).self) { tasks in
            func ask(_ key: String) {
                tasks.addTask {
                    do throws(StoreError) { return (key, .success(try await lookup.value(for: key))) } catch { return (key, .failure(error)) }
                }
            }
            ask("first")
            try await waitUntil { reads.calls.get().count == 1 }
            for key in ["a", "bad", "bb"] { ask(key) }
            try await waitUntil { lookup.counts.submitted == 4 }
            reads.released.set(true)
            var byKey: [String: Result<Int?, StoreError>] = [:]
            for try await (key, result) in tasks { byKey[key] = result }
            return byKey
        }
        #expect(try results["first"]?.get() == 5)
        #expect(try results["a"]?.get() == 1)
        #expect(try results["bb"]?.get() == 2)
        #expect(throws: StoreError.self) { try results["bad"]?.get() }
        // The first read alone, the shared read of the other three, then each of them alone.
        let calls = reads.calls.get()
        #expect(calls.prefix(2) == [["first"], ["a", "bad", "bb"]])
        #expect(calls.dropFirst(2).sorted { $0[0] < $1[0] } == [["a"], ["bad"], ["bb"]])
    }

    @Test("an IN list is padded to a power of two by repeating its first key")
    func padding() {
        #expect(paddedKeys([]).isEmpty)
        #expect(paddedKeys(["a"]) == [.text("a")])
        #expect(paddedKeys(["a", "b", "c"]) == [.text("a"), .text("b"), .text("c"), .text("a")])
        #expect(paddedKeys((0..<64).map(String.init)).count == 64)
        #expect(paddedKeys((0..<65).map(String.init)).count == 128)
    }
}
