import ClearanceTestSupport
@testable import ClearanceRouting
import ClearanceStore
import Foundation
import Testing

/// The long-running worker (`run`) claims its next round while the last requests of the round
/// before are still out, so a destination's window does not drain between rounds; overlapping
/// rounds share the window (never more requests in flight than its concurrency) and deliver every
/// row once. Runs on SQLite and PostgreSQL.
@Suite struct DeliveryOverlapTests {
    @Test("rounds overlap: the destination's window stays full between rounds, within its concurrency, each row once", arguments: TestEngine.allCases)
    func roundsOverlap(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")  // concurrency 4; never dialled
            let flow = ClearanceFlow(store: store, routing: { table })
            // 24 orders of 24 shipments: 24 rows, each a chain of its own; 3 full claims of 8.
            let count = 24
            var guids: Set<String> = []
            for n in 0..<count {
                let order = SampleShipment.make(9100 + n).order
                _ = try await flow.accept(order)
                guids.insert(SampleShipment.envelopeGuid(order))
            }
            let receiver = SlowReceiver(config: try #require(table.destinations["customs"]), seconds: 0.3)
            let (key, cert) = FlowFixtures.serviceKey
            let worker = DeliveryWorker(
                store: store, table: { table }, destinations: ["customs": receiver],
                preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
                policy: DeliveryPolicy(batchSize: 8, leaseSeconds: 30, idlePollSeconds: 0.02))
            let running = Task { await worker.run(stop: { receiver.delivered.count >= count }) }
            let watchdog = Task {
                try await Task.sleep(nanoseconds: 30_000_000_000)
                running.cancel()
            }
            let total = await running.value
            watchdog.cancel()
            await worker.shutdown()

            #expect(total.delivered == count && total.claimed == count, "\(total)")
            #expect(receiver.delivered.sorted() == guids.sorted(), "each order delivered once")
            #expect(receiver.maxInFlight == 4, "the window is shared by the rounds in flight: \(receiver.maxInFlight)")
            // Rounds in turn drain the window before each claim after the first: two idle gaps.
            // Overlapped, the next claim runs while a round's last requests are out (0.3 s each);
            // one gap is allowed for a claim slower than that on a loaded machine.
            #expect(receiver.idleGaps <= 1, "requests in flight fell to none \(receiver.idleGaps) times between rounds")
            #expect(try await store.outboxEntries(status: .pending, limit: 1).isEmpty)
            #expect(try await store.outboxEntries(status: .inFlight, limit: 1).isEmpty)
        }
    }
}

/// Accepts every message after `seconds`, counting the requests in flight (their maximum, and how
/// often they fell to none while the test had more to send).
private final class SlowReceiver: Destination, @unchecked Sendable {
    let config: DestinationConfig
    private let seconds: Double
    private let lock = NSLock()
    private var guids: [String] = []
    private var inFlight = 0
    private var peak = 0
    private var gaps = 0

    init(config: DestinationConfig, seconds: Double) {
        self.config = config
        self.seconds = seconds
    }

    var delivered: [String] { lock.withLock { guids } }
    var maxInFlight: Int { lock.withLock { peak } }
    var idleGaps: Int { lock.withLock { gaps } }

    func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        lock.withLock {
            // Requests were out before (some delivered) and none is now: the window drained.
            if inFlight == 0 && !guids.isEmpty { gaps += 1 }
            inFlight += 1
            peak = max(peak, inFlight)
        }
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        lock.withLock {
            inFlight -= 1
            guids.append(message.guid)
        }
    }

    func shutdown() async {}
}
