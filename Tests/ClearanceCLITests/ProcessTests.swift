import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import CustomsSimulator
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `clearance deliver` as real processes on one throwaway PostgreSQL: kill -9 mid-delivery and
/// restart (nothing lost, redeliveries deduped by the receiver), and two workers at once (no row
/// delivered twice, shipments in order).
@Suite(.serialized) struct ProcessTests {
    struct Setup {
        var url: String
        var rules: String
        var keyPath: String
        var certPath: String
        var shipments: [FlowFixtures.Shipment]
    }

    /// A PostgreSQL database with `count` shipments queued for the simulator at `port`.
    func setUp(port: Int, count: Int, base: Int) async throws -> Setup {
        let url = try freshURL(.postgresql)
        let dir = FlowFixtures.tempDir("proc")
        let rules = dir + "/routes.yaml"
        try """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              customs:
                http: {url: "http://127.0.0.1:\(port)/ceb", timeoutSeconds: 5, concurrency: 4}
                profile: standard
                envelope: dxp
                receiverId: DXPEDCCEB0000001
                maxAttempts: 100
            rules:
              - name: all
                match: {messageType: [CEB311, CEB411, CEB511, CEB621]}
                to: customs
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let (key, cert) = FlowFixtures.serviceKey
        try key.pemRepresentation().write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        try cert.pemRepresentation.write(toFile: dir + "/cert.pem", atomically: true, encoding: .utf8)
        let store = try await makeFlowStore(.postgresql, url: url)
        let table = try RoutingTable.load(path: rules)
        let flow = ClearanceFlow(store: store, routing: { table })
        var shipments: [FlowFixtures.Shipment] = []
        for n in 0..<count {
            let s = FlowFixtures.shipment(base + n)
            shipments.append(s)
            for part in s.all { _ = try await flow.accept(part.bytes) }
        }
        await store.close()
        return Setup(url: url, rules: rules, keyPath: dir + "/key.pem", certPath: dir + "/cert.pem", shipments: shipments)
    }

    func deliver(_ setup: Setup, drain: Bool) throws -> Process {
        let binary = try #require(FlowFixtures.clearanceBinary, "the clearance executable is built with the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = ["deliver", "--store", setup.url, "--rules", setup.rules, "--key", setup.keyPath, "--cert", setup.certPath,
                         "--lease", "2", "--base-delay", "0.05", "--max-delay", "0.2", "--idle", "0.05", "--batch", "8"]
        if drain { arguments += ["--drain", "--timeout", "90"] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits (bounded) for a process to end.
    func wait(_ process: Process, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return false
        }
        return true
    }

    func outbox(_ url: String) async throws -> [OutboxEntry] {
        let store = try await makeFlowStore(.postgresql, url: url)
        return try await withCleanup({ await store.close() }) {
            return try await store.outboxEntries(status: nil, limit: 10_000)
        }
    }

    func assertShipmentOrder(_ shipments: [FlowFixtures.Shipment], _ arrival: [String]) {
        for s in shipments {
            let positions = s.guids.map { arrival.firstIndex(of: $0) ?? -1 }
            #expect(!positions.contains(-1))
            #expect(positions == positions.sorted(), "shipment \(s.orderNo) in queue order")
        }
    }

    @Test func killDashNineMidDeliveryThenRestartLosesNothing() async throws {
        let simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0))
        let server = SimulatorServer(simulator: simulator)
        let port = try await server.start()
        server.setResponseDelay(0.03)
        let setup = try await setUp(port: port, count: 15, base: 20_000)
        let expected = Set(setup.shipments.flatMap(\.guids))

        let first = try deliver(setup, drain: false)
        // Kill it once some, but not all, messages have arrived (bounded wait).
        let deadline = Date().addingTimeInterval(60)
        while simulator.receivedCounts.count < 10, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        kill(first.processIdentifier, SIGKILL)
        _ = await wait(first, seconds: 10)
        let atKill = simulator.receivedCounts.count
        #expect(atKill >= 10)
        #expect(atKill < expected.count, "killed mid-delivery")

        let second = try deliver(setup, drain: true)
        #expect(await wait(second, seconds: 120), "the restarted worker drains the outbox")
        #expect(second.terminationStatus == 0)
        await server.stop()
        await simulator.shutdown()

        let rows = try await outbox(setup.url)
        #expect(rows.count == expected.count)
        #expect(rows.allSatisfy { $0.status == .delivered }, "no loss")
        let counts = simulator.receivedCounts
        #expect(Set(counts.keys) == expected)
        let redelivered = counts.values.filter { $0 > 1 }.count
        #expect(redelivered <= 8, "only rows in flight at the kill (one batch) may arrive twice")
        #expect(simulator.arrivalOrder.count == expected.count, "the receiver's dedupe sees each guid once")
        assertShipmentOrder(setup.shipments, simulator.arrivalOrder)
    }

    @Test func twoWorkerProcessesOnOnePostgreSQLNeverDeliverARowTwice() async throws {
        let simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0))
        let server = SimulatorServer(simulator: simulator)
        let port = try await server.start()
        server.setResponseDelay(0.005)
        let setup = try await setUp(port: port, count: 25, base: 30_000)
        let expected = Set(setup.shipments.flatMap(\.guids))

        let a = try deliver(setup, drain: true)
        let b = try deliver(setup, drain: true)
        #expect(await wait(a, seconds: 120))
        #expect(await wait(b, seconds: 120))
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        await server.stop()
        await simulator.shutdown()

        let rows = try await outbox(setup.url)
        #expect(rows.count == expected.count)
        #expect(rows.allSatisfy { $0.status == .delivered })
        let counts = simulator.receivedCounts
        #expect(Set(counts.keys) == expected)
        #expect(counts.values.allSatisfy { $0 == 1 }, "FOR UPDATE SKIP LOCKED: no row delivered by both workers")
        #expect(rows.allSatisfy { $0.attempts == 1 })
        assertShipmentOrder(setup.shipments, simulator.arrivalOrder)
    }
}
