import ClearanceTestSupport
@testable import ClearanceRouting
import ClearanceStore
import Foundation
import Testing

/// The long-running worker (`run`) claims its next round while the last requests of the round
/// before are still out, so a destination's window does not drain between rounds; overlapping
/// rounds share the window (never more requests in flight than its concurrency) and deliver every
/// row once. No timing is assumed: the receiver holds the first round's requests until the test
/// has seen the next round claimed. Runs on SQLite and PostgreSQL.
@Suite struct DeliveryOverlapTests {
    @Test("rounds overlap: the next round is claimed while the last one's requests are out, within the destination's concurrency, each row once", arguments: TestEngine.allCases)
    func roundsOverlap(_ engine: TestEngine) async throws {
        // 12 orders of 12 shipments: 12 rows, each a chain of its own; claims of 4, all 4 held at once.
        try await withHeldRound(engine, batchSize: 4, interval: 0.05, first: 12, held: 4) { _, inFlight, receiver in
            // With rounds in turn nothing more is claimed until the held requests end. Overlapped, the
            // next round's four rows are claimed (in flight in the store, waiting for a slot) meanwhile.
            let deadline = Date().addingTimeInterval(120)  // generous: see withHeldRound
            while try await inFlight() < 8, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(try await inFlight() == 8, "the next round claimed while the first one's requests are held")
            #expect(receiver.maxInFlight == 4, "its rows wait for the window's slots: \(receiver.maxInFlight)")
        }
    }

    @Test("a round that came back short paces the next claim: a row queued meanwhile waits for the interval, then goes while the round is out", arguments: TestEngine.allCases)
    func shortRoundsPaceTheNextClaim(_ engine: TestEngine) async throws {
        try await withHeldRound(engine, batchSize: 8, interval: 4, first: 2, held: 2) { accept, inFlight, receiver in
            let held = Date()
            // The first claim took 2 of 8: the next one waits 4 s from it, whatever is queued meanwhile
            // (checked unless queueing took this machine most of those 4 s). One row, so one claim takes it.
            try await accept(1)
            try await Task.sleep(nanoseconds: 300_000_000)
            let waited = try await inFlight()
            #expect(waited == 2 || Date().timeIntervalSince(held) > 3.5, "the row queued after a short claim waits for the interval")
            let deadline = Date().addingTimeInterval(120)  // generous: see withHeldRound
            while try await inFlight() < 3, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(try await inFlight() == 3, "then it is claimed while the first round's requests are still out")
            #expect(receiver.delivered.isEmpty)
        }
    }

    @Test("a claim that finds nothing while a round is out polls again: a row queued then goes before the round ends", arguments: TestEngine.allCases)
    func emptyClaimsPollWhileARoundIsOut(_ engine: TestEngine) async throws {
        try await withHeldRound(engine, batchSize: 8, interval: 0.05, first: 1, held: 1) { accept, inFlight, receiver in
            // Past the pacing, the worker's claims find nothing while the first round is held.
            try await Task.sleep(nanoseconds: 500_000_000)
            try await accept(1)
            let deadline = Date().addingTimeInterval(120)  // generous: see withHeldRound
            while try await inFlight() < 2, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(try await inFlight() == 2, "claimed at the next poll, not when the held round ends")
            #expect(receiver.delivered.isEmpty)
        }
    }

    /// Orders from 9200 (`first` of them queued) delivered by a worker claiming `batchSize` at a time
    /// with `interval` between short claims, to a receiver (concurrency 4) holding every request;
    /// `body` runs once `held` requests are held (with a way to queue the orders of further
    /// shipments, and the store's rows in flight), then everything is let go: every order delivered
    /// once, every row claimed once, none left pending or in flight, never more than 4 requests out.
    private func withHeldRound(
        _ engine: TestEngine, batchSize: Int, interval: TimeInterval, first: Int, held: Int,
        _ body: (_ accept: (Int) async throws -> Void, _ inFlight: () async throws -> Int, _ receiver: GatedReceiver) async throws -> Void
    ) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")  // concurrency 4; never dialled
            let flow = ClearanceFlow(store: store, routing: { table })
            var guids: [String] = []
            func accept(_ count: Int) async throws {
                for _ in 0..<count {
                    let order = SampleShipment.make(9200 + guids.count).order
                    _ = try await flow.accept(order)
                    guids.append(SampleShipment.envelopeGuid(order))
                }
            }
            func inFlight() async throws -> Int { try await store.outboxEntries(status: .inFlight, limit: 100).count }
            try await accept(first)
            let receiver = GatedReceiver(config: try #require(table.destinations["customs"]))
            let (key, cert) = FlowFixtures.serviceKey
            let worker = DeliveryWorker(
                store: store, table: { table }, destinations: ["customs": receiver],
                preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
                policy: DeliveryPolicy(batchSize: batchSize, leaseSeconds: 60, idlePollSeconds: 0.02, overlapIntervalSeconds: interval))
            let stopAt = LockedCount()
            let running = Task { await worker.run(stop: { receiver.delivered.count >= max(1, stopAt.value) }) }
            let watchdog = Task {
                try await Task.sleep(nanoseconds: 600_000_000_000)
                receiver.open()
                running.cancel()
            }
            // Bounds generous for a loaded machine (a full parallel run of the suite took 155 s over one
            // of these tests); they only bound how long a failing run waits.
            let deadline = Date().addingTimeInterval(120)
            while receiver.maxInFlight < held, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            try #require(receiver.maxInFlight == held)
            try await body(accept, inFlight, receiver)
            stopAt.value = guids.count
            receiver.open()
            let total = await running.value
            watchdog.cancel()
            await worker.shutdown()
            #expect(total.delivered == guids.count && total.claimed == guids.count, "\(total)")
            #expect(receiver.delivered.sorted() == guids.sorted(), "each order delivered once")
            #expect(receiver.maxInFlight <= 4, "the window is shared by the rounds in flight: \(receiver.maxInFlight)")
            #expect(try await inFlight() == 0)
            #expect(try await store.outboxEntries(status: .pending, limit: 1).isEmpty)
        }
    }
}

/// A count shared with a worker's `stop` closure.
private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int {
        get { lock.withLock { count } }
        set { lock.withLock { count = newValue } }
    }
}

/// Holds every request until ``open()``, then accepts it; counts the requests in flight (their maximum).
private final class GatedReceiver: Destination, @unchecked Sendable {
    let config: DestinationConfig
    private let lock = NSLock()
    private var guids: [String] = []
    private var inFlight = 0
    private var peak = 0
    private var isOpen = false

    init(config: DestinationConfig) {
        self.config = config
    }

    var delivered: [String] { lock.withLock { guids } }
    var maxInFlight: Int { lock.withLock { peak } }
    func open() { lock.withLock { isOpen = true } }

    func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        lock.withLock {
            inFlight += 1
            peak = max(peak, inFlight)
        }
        while !lock.withLock({ isOpen }) { try? await Task.sleep(nanoseconds: 5_000_000) }
        lock.withLock {
            inFlight -= 1
            guids.append(message.guid)
        }
    }

    func shutdown() async {}
}
