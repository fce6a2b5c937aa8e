import ClearanceTestSupport
@testable import ClearanceRouting
@testable import ClearanceStore
import Foundation
import Testing

/// A claim in shipment order hands out a shipment's rows that are due together as one chain, which
/// the worker sends in order within its round; what would overtake an earlier row of its shipment
/// outside the claim is put back in the claim's own transaction. Runs on SQLite and PostgreSQL.
@Suite struct ShipmentChainTests {
    let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")  // never dialled

    /// The four rows of shipment `n` (order, payment, waybill, inventory, in that queue order). All
    /// four carry its orderNo (the waybill and the inventory its logisticsNo too): one shipment.
    func queued(_ store: any ClearanceFlowStore, _ n: Int) async throws -> (rows: [Int64], shipment: SampleShipment) {
        let table = self.table
        let flow = ClearanceFlow(store: store, routing: { table })
        let s = SampleShipment.make(n)
        for part in s.all { _ = try await flow.accept(part.bytes) }
        let rows = try await store.outboxEntries(status: .pending, limit: 100).map(\.id).sorted()
        try #require(rows.count == 4)
        return (rows, s)
    }

    /// Attempts and status of row `id`.
    func state(_ store: any ClearanceFlowStore, _ id: Int64) async throws -> (String?, String?) {
        let sql = try #require(store as? SQLStore)
        let row = try await sql.rawQuery("SELECT status, attempts FROM outbox WHERE id = $1", [.integer(id)]).first
        return (row?[0], row?[1])
    }

    @Test("a shipment's rows due together go as one chain; a claim's limit leaves the rest until its rows are done", arguments: TestEngine.allCases)
    func chainsAndLimit(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let rows = try await queued(store, 7001).rows
            let all = try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date())
            #expect(all.map(\.id) == rows && all.allSatisfy { $0.chain == rows[0] })
            #expect(DeliveryWorker.chains(all).map { $0.map(\.id) } == [rows])
            try await store.releaseOutbox(ids: rows, messageIds: all.map(\.messageId), now: Date())
            #expect(try await state(store, rows[3]) == ("pending", "0"), "a release counts no attempt")

            // Two at a time: the order and payment (one chain); the others wait while they are in flight.
            let first = try await store.claimOutboxInShipmentOrder(limit: 2, lease: 30, now: Date())
            #expect(first.map(\.id) == Array(rows[0...1]) && first.allSatisfy { $0.chain == rows[0] })
            #expect(try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date()).isEmpty)
            _ = try await store.completeOutbox(ids: first.map(\.id), messageIds: first.map(\.messageId), now: Date())
            let rest = try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date())
            #expect(rest.map(\.id) == Array(rows[2...3]) && rest.allSatisfy { $0.chain == rows[2] })
        }
    }

    @Test("a row claimed ahead of an earlier row of its shipment is put back, its attempt not counted; a row in backoff holds the rest back", arguments: TestEngine.allCases)
    func overtakingIsPutBack(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let rows = try await queued(store, 7002).rows
            let sql = try #require(store as? SQLStore)
            let now = StoreClock.milliseconds(Date())
            // The payment is due before the order (both due): a claim of one takes the payment, finds
            // the order outside the claim, and puts the payment back.
            try await sql.rawExecute("""
                UPDATE outbox SET next_attempt_at = \(now - 1_000) WHERE id = \(rows[0]);
                UPDATE outbox SET next_attempt_at = \(now - 2_000) WHERE id = \(rows[1]);
                """)
            #expect(try await store.claimOutboxInShipmentOrder(limit: 1, lease: 30, now: Date()).isEmpty)
            #expect(try await state(store, rows[1]) == ("pending", "0"))
            // With room for all, they go together, in queue order.
            let all = try await store.claimOutboxInShipmentOrder(limit: 4, lease: 30, now: Date())
            #expect(DeliveryWorker.chains(all).map { $0.map(\.id) } == [rows])
            try await store.releaseOutbox(ids: all.map(\.id), messageIds: all.map(\.messageId), now: Date())

            // The order waiting for a retry holds back the rest of its shipment.
            try await sql.rawExecute("UPDATE outbox SET next_attempt_at = \(now + 600_000) WHERE id = \(rows[0])")
            #expect(try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date()).isEmpty)
            try await sql.rawExecute("UPDATE outbox SET next_attempt_at = \(now) WHERE id = \(rows[0])")
            #expect(try await store.claimOutboxInShipmentOrder(limit: 10, lease: 30, now: Date()).map(\.id) == rows)
        }
    }

    @Test("when a chain's first row fails, the rest is not sent and not counted; the next rounds send them in order", arguments: TestEngine.allCases)
    func failureDefersTheRestOfTheChain(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let (rows, s) = try await queued(store, 7003)
            let receiver = FailingOnceReceiver(config: table.destinations["customs"]!, failing: s.guids[0])
            let (key, cert) = FlowFixtures.serviceKey
            let table = self.table
            let worker = DeliveryWorker(
                store: store, table: { table }, destinations: ["customs": receiver],
                preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
                policy: DeliveryPolicy(batchSize: 16, baseDelaySeconds: 0.05, maxDelaySeconds: 0.1, jitter: 0, idlePollSeconds: 0.05))
            let round = try await worker.runOnce()
            #expect(round.claimed == 4 && round.retried == 1 && round.deferred == 3 && round.delivered == 0)
            #expect(receiver.accepted.isEmpty)
            for id in rows[1...] { #expect(try await state(store, id) == ("pending", "0")) }
            let rest = try await worker.drain(maxRounds: 50, timeout: 60)
            #expect(rest.delivered == 4)
            #expect(receiver.accepted == s.guids, "in queue order")
        }
    }
}

/// Refuses the first delivery of one guid (a temporary failure), accepts everything else and
/// records the order it accepted them in.
private final class FailingOnceReceiver: Destination, @unchecked Sendable {
    let config: DestinationConfig
    private let failing: String
    private let lock = NSLock()
    private var failed = false
    private var order: [String] = []

    init(config: DestinationConfig, failing: String) {
        self.config = config
        self.failing = failing
    }

    var accepted: [String] { lock.withLock { order } }

    func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        let refuse = lock.withLock { () -> Bool in
            if message.guid == failing && !failed {
                failed = true
                return true
            }
            order.append(message.guid)
            return false
        }
        if refuse { throw DeliveryError("receiver busy") }
    }

    func shutdown() async {}
}
