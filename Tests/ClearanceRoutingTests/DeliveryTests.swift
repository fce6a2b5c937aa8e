import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import CustomsSimulator
import Foundation
import Testing

/// Outbox delivery to a local HTTP receiver (the customs simulator on 127.0.0.1, random port):
/// an outage and recovery, per-shipment order, dedupe by guid, dead letters and replay.
@Suite(.serialized) struct DeliveryTests {
    /// A worker delivering with short delays.
    func worker(_ store: any ClearanceFlowStore, _ table: RoutingTable, lease: Double = 5) throws -> (DeliveryWorker, [String: any Destination]) {
        let destinations = try DestinationFactory.make(table)
        let (key, cert) = FlowFixtures.serviceKey
        let worker = DeliveryWorker(
            store: store, table: { table }, destinations: destinations,
            preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, leaseSeconds: lease, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, jitter: 0.5, idlePollSeconds: 0.05))
        return (worker, destinations)
    }

    /// Picks a free loopback port by binding a simulator and stopping it.
    func freePort() async throws -> Int {
        let probe = SimulatorServer(simulator: try CustomsSimulator(config: SimulatorConfig()))
        let port = try await probe.start()
        await probe.stop()
        return port
    }

    @Test(arguments: TestEngine.allCases)
    func destinationDownThenBackEverythingDeliveredInOrderOnceToTheReceiver(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let port = try await freePort()
        // "Down" is a refused connection, which the HTTP client retries until the connect timeout (1 s
        // here; with the 10 s default the four rounds below took two minutes); the generous request
        // timeout only keeps a loaded machine from timing out an answer the receiver already
        // accepted, which at-least-once would redeliver.
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:\(port)/ceb", timeout: 10, connectTimeout: 1)
        let flow = ClearanceFlow(store: store, routing: { table })
        var shipments: [SampleShipment] = []
        for n in 0..<5 {
            let s = SampleShipment.make(100 + n)
            shipments.append(s)
            for part in s.all { _ = try await flow.accept(part.bytes) }
        }
        let (worker, destinations) = try worker(store, table)
        // Down: nothing listens on the port; every attempt fails and is rescheduled.
        var down = DeliveryRound()
        for _ in 0..<4 {
            down.add(try await worker.runOnce())
            try await Task.sleep(nanoseconds: 60_000_000)
        }
        #expect(down.delivered == 0)
        #expect(down.retried > 0)
        #expect(down.dead == 0)
        // Back up.
        let simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0))
        let server = SimulatorServer(simulator: simulator)
        _ = try await server.start(port: port)
        let total = try await worker.drain(maxRounds: 500, timeout: 300)
        await server.stop()
        await simulator.shutdown()
        for d in destinations.values { await d.shutdown() }
        #expect(total.dead == 0)
        let all = try await store.outboxEntries(status: nil, limit: 100)
        #expect(all.count == 20)
        #expect(all.allSatisfy { $0.status == .delivered })
        let counts = simulator.receivedCounts
        let expected = Set(shipments.flatMap(\.guids))
        #expect(Set(counts.keys) == expected, "every message reached the receiver")
        // At-least-once: the receiver's dedupe sees each guid; with no crash there is no redelivery.
        #expect(counts.values.allSatisfy { $0 == 1 })
        // Per shipment, the receiver got the messages in the order they were queued.
        let arrival = simulator.arrivalOrder
        for s in shipments {
            let positions = s.guids.map { arrival.firstIndex(of: $0) ?? -1 }
            #expect(positions == positions.sorted(), "shipment \(s.orderNo) arrived in queue order")
        }
        await store.close()
    }

    @Test func refusedByTheReceiverGoesDeadAndCanBeReplayed() async throws {
        let store = try await makeFlowStore(.sqlite)
        let simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0))
        let server = SimulatorServer(simulator: simulator)
        let port = try await server.start()
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:\(port)/ceb", maxAttempts: 3)
        let flow = ClearanceFlow(store: store, routing: { table })
        let s = SampleShipment.make(200)
        _ = try await flow.accept(s.order)
        // 503 while unavailable: retried until maxAttempts, then dead.
        server.setAvailable(false)
        let (worker, destinations) = try worker(store, table)
        let round = try await worker.drain(maxRounds: 50, timeout: 300)
        #expect(round.dead == 1)
        let dead = try await store.outboxEntries(status: .dead, limit: 10)
        #expect(dead.count == 1)
        #expect(dead.first?.attempts == 3)
        #expect(dead.first?.lastError?.contains("503") == true)
        let trace = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(trace.events.contains { $0.kind.rawValue == "dead-letter" })
        // The operator replays it once customs is back.
        server.setAvailable(true)
        let replayed = try await store.replayOutbox(id: try #require(dead.first?.id), now: Date())
        #expect(replayed.status == .pending)
        let again = try await worker.drain(maxRounds: 50, timeout: 300)
        #expect(again.delivered == 1)
        #expect(simulator.receivedCounts[s.guids[0]] == 1)
        await server.stop()
        await simulator.shutdown()
        for d in destinations.values { await d.shutdown() }
        await store.close()
    }

    @Test func redeliveryAfterAnExpiredLeaseIsDedupedByTheReceiver() async throws {
        let store = try await makeFlowStore(.sqlite)
        let simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0))
        let server = SimulatorServer(simulator: simulator)
        let port = try await server.start()
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:\(port)/ceb")
        let flow = ClearanceFlow(store: store, routing: { table })
        let s = SampleShipment.make(300)
        _ = try await flow.accept(s.order)
        // A worker claims, delivers, and "crashes" before completing: the row stays in flight.
        let claimed = try await store.claimOutboxInShipmentOrder(limit: 1, lease: 0.2, now: Date())
        #expect(claimed.count == 1)
        let message = try #require(try await store.message(guid: s.guids[0]))
        let (key, cert) = FlowFixtures.serviceKey
        let prepared = try OutboundPreparer(key: key, certificate: cert, senderId: table.senderId)
            .prepare(raw: message.rawBytes, guid: message.guid, messageType: message.messageType, for: table.destinations["customs"]!)
        let destinations = try DestinationFactory.make(table)
        try await destinations["customs"]!.deliver(prepared)
        try await Task.sleep(nanoseconds: 300_000_000)
        // After the lease, another worker takes it over and delivers again.
        let (worker, more) = try worker(store, table)
        let round = try await worker.drain(maxRounds: 20, timeout: 300)
        #expect(round.delivered == 1)
        #expect(simulator.receivedCounts[s.guids[0]] == 2, "at least once: delivered twice")
        #expect(simulator.arrivalOrder == [s.guids[0]], "the receiver's dedupe sees the guid once")
        await server.stop()
        await simulator.shutdown()
        for d in destinations.values { await d.shutdown() }
        for d in more.values { await d.shutdown() }
        await store.close()
    }

    /// A destination's requests form a sliding window: while one request hangs, the others of the
    /// round keep its `concurrency` slots busy (fixed windows waited for their slowest member, so one
    /// slow receiver answer held back every row claimed after its window).
    @Test func oneSlowRequestDoesNotHoldBackTheRestOfTheRound() async throws {
        let store = try await makeFlowStore(.sqlite)
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")  // concurrency 4; never dialled
        let flow = ClearanceFlow(store: store, routing: { table })
        let orders = (0..<8).map { SampleShipment.make(500 + $0).order }
        for order in orders { _ = try await flow.accept(order) }
        let receiver = HangingReceiver(config: table.destinations["customs"]!, others: orders.count - 1)
        let (key, cert) = FlowFixtures.serviceKey
        let worker = DeliveryWorker(
            store: store, table: { table }, destinations: ["customs": receiver],
            preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, idlePollSeconds: 0.05))
        let round = try await worker.runOnce()
        #expect(round.claimed == 8 && round.delivered == 8)
        #expect(receiver.othersBeforeTheFirstAnswered == orders.count - 1,
                "the rows after the hanging one's window waited for it")
        await store.close()
    }

    /// A worker sleeping between polls starts as soon as a write of its process queues a row: the
    /// commit rings the store's doorbell (with a 10-minute poll the order would otherwise wait 10
    /// minutes; the test waits 2, since a loaded run can stall the task pool for a minute).
    @Test(arguments: TestEngine.allCases)
    func aQueuedRowWakesTheSleepingWorker(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")  // never dialled
        let flow = ClearanceFlow(store: store, routing: { table })
        let receiver = CountingReceiver(config: table.destinations["customs"]!)
        let (key, cert) = FlowFixtures.serviceKey
        let worker = DeliveryWorker(
            store: store, table: { table }, destinations: ["customs": receiver],
            preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, idlePollSeconds: 600))
        let running = Task { await worker.run() }
        try await Task.sleep(nanoseconds: 300_000_000)  // it finds nothing and sleeps
        _ = try await flow.accept(SampleShipment.make(600).order)
        let deadline = Date().addingTimeInterval(120)
        while receiver.count == 0 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(receiver.count == 1, "the worker slept through the commit")
        running.cancel()
        #expect(await running.value.delivered == 1)
        await store.close()
    }

    @Test func spoolDestinationWritesOneFilePerMessage() async throws {
        let store = try await makeFlowStore(.sqlite)
        let out = scratchDirectory("spool-out")
        let destination = DestinationConfig(name: "spool", transport: .spool(.init(outbox: out)), envelope: .dxp, receiverId: "R")
        var all = RoutingRule.Match()
        all.messageTypes = ["CEB311", "CEB411", "CEB511", "CEB621"]
        let table = RoutingTable(senderId: "S", destinations: ["spool": destination], rules: [RoutingRule(name: "all", match: all, destinations: ["spool"])])
        let flow = ClearanceFlow(store: store, routing: { table })
        let s = SampleShipment.make(400)
        for part in s.all { _ = try await flow.accept(part.bytes) }
        let (worker, _) = try worker(store, table)
        let round = try await worker.drain(maxRounds: 50, timeout: 300)
        #expect(round.delivered == 4)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == s.all.map { part -> String in
            let type = ["order": "CEB311", "payment": "CEB411", "waybill": "CEB511", "inventory": "CEB621"][part.name]!
            return "\(type)_\(SampleShipment.envelopeGuid(part.bytes)).xml"
        }.sorted())
        for file in files {
            let bytes = Array(FileManager.default.contents(atPath: out + "/" + file) ?? Data())
            #expect(TransportEnvelope.isEnvelope(bytes))
        }
        await store.close()
    }
}

/// Hot reload reaches the worker: a destination added to the routing file is delivered to
/// without restarting, with a transport built on demand.
@Suite struct HotReloadDeliveryTests {
    @Test func destinationAddedByReloadIsUsedWithoutRestart() async throws {
        let store = try await makeFlowStore(.sqlite)
        let dir = scratchDirectory("hot")
        let path = dir + "/routes.yaml"
        func write(_ outbox: String) throws {
            try """
                version: 1
                senderId: DXPENT0000000001
                destinations:
                  \(outbox):
                    spool: {outbox: "\(dir)/\(outbox)"}
                    envelope: none
                rules:
                  - {name: all, match: {messageType: CEB311}, to: \(outbox)}
                """.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write("first")
        let watcher = try RoutingTableWatcher(source: .file(path), minimumInterval: 0)
        let flow = ClearanceFlow(store: store, routing: { watcher.current() })
        let worker = DeliveryWorker(store: store, table: { watcher.current() }, preparer: OutboundPreparer(key: nil, certificate: nil, senderId: "S"),
                                    policy: DeliveryPolicy(idlePollSeconds: 0.02))
        _ = try await flow.accept(SampleShipment.make(8000).order)
        #expect(try await worker.drain(maxRounds: 20, timeout: 300).delivered == 1)
        try write("second")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        _ = try await flow.accept(SampleShipment.make(8001).order)
        #expect(try await worker.drain(maxRounds: 20, timeout: 300).delivered == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/first").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/second").count == 1)
        await worker.shutdown()
        await store.close()
    }
}

/// A receiver whose first request hangs until `others` more have been delivered (or 120 s pass: a
/// loaded test run can stall the task pool for a minute).
private final class HangingReceiver: Destination, @unchecked Sendable {
    let config: DestinationConfig
    private let others: Int
    private let lock = NSLock()
    private var first: String?
    private var delivered = 0
    private(set) var othersBeforeTheFirstAnswered = -1

    init(config: DestinationConfig, others: Int) {
        self.config = config
        self.others = others
    }

    func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        let hangs = lock.withLock { () -> Bool in
            if first == nil { first = message.guid; return true }
            delivered += 1
            return false
        }
        guard hangs else { return }
        let deadline = Date().addingTimeInterval(120)
        while lock.withLock({ delivered }) < others && Date() < deadline {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        lock.withLock { othersBeforeTheFirstAnswered = delivered }
    }

    func shutdown() async {}
}

/// A receiver that counts what it is given.
private final class CountingReceiver: Destination, @unchecked Sendable {
    let config: DestinationConfig
    private let lock = NSLock()
    private var delivered = 0

    init(config: DestinationConfig) { self.config = config }

    var count: Int { lock.withLock { delivered } }

    func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        lock.withLock { delivered += 1 }
    }

    func shutdown() async {}
}
