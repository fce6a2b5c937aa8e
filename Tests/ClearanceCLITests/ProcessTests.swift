import ClearanceTestSupport
import CustomsSimulator
import Foundation
import Testing

/// `clearance deliver` as real processes on one throwaway PostgreSQL: kill -9 mid-delivery and
/// restart (nothing lost, redeliveries deduped by the receiver), and two workers at once (no row
/// delivered twice, shipments in order). The receiver is the simulator in-process: it counts what arrives.
@Suite(.serialized) struct ProcessTests {
    struct Setup {
        var url: String
        var rules: String
        var keyPath: String
        var certPath: String
        var shipments: [SampleShipment]
    }

    /// An outbox row as `clearance outbox list` prints it.
    struct OutboxRow {
        var status: String
        var guid: String
        var attempts: Int
    }

    /// A PostgreSQL database with `count` shipments queued (by `clearance submit`) for the simulator at `port`.
    func setUp(port: Int, count: Int, base: Int) async throws -> Setup {
        let url = try freshURL(.postgresql)
        let dir = scratchDirectory("proc")
        let rules = dir + "/routes.yaml"
        try """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              customs:
                http: {url: "http://127.0.0.1:\(port)/ceb", timeoutSeconds: 60, concurrency: 4}
                profile: standard
                envelope: dxp
                receiverId: DXPEDCCEB0000001
                maxAttempts: 100
            rules:
              - name: all
                match: {messageType: [CEB311, CEB411, CEB511, CEB621]}
                to: customs
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        // The service key (P-256, self-signed), made by the OpenSSL command line.
        let key = dir + "/key.pem", cert = dir + "/cert.pem"
        let openssl = try await CommandRunner.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
            "-subj", "/CN=Clearance service", "-days", "2", "-addext", "keyUsage=digitalSignature"], timeout: 60)
        try #require(openssl.status == 0, "\(openssl.output)")
        var shipments: [SampleShipment] = []
        var files: [String] = []
        for n in 0..<count {
            let s = SampleShipment.make(base + n)
            shipments.append(s)
            for part in s.all {
                let path = dir + "/\(n)-\(part.name).xml"
                try Data(part.bytes).write(to: URL(fileURLWithPath: path))
                files.append(path)
            }
        }
        let submitted = try await CLI.run(["submit", "--store", url, "--rules", rules] + files, timeout: 300)
        try #require(submitted.status == 0, "\(submitted.output.suffix(2000))")
        return Setup(url: url, rules: rules, keyPath: key, certPath: cert, shipments: shipments)
    }

    /// A worker on the test's outbox. The lease (20 s) outlasts a batch's delivery on a saturated
    /// machine, so a row is claimed again only once its worker is gone (2 s and 5 s leases let a live,
    /// slow worker's rows be claimed twice, and the redelivery bound below failed under the full
    /// suite's load); the restarted worker waits out the killed one's leases.
    func deliver(_ setup: Setup, drain: Bool) throws -> RunningCommand {
        var arguments = ["deliver", "--store", setup.url, "--rules", setup.rules, "--key", setup.keyPath, "--cert", setup.certPath,
                         "--lease", "20", "--base-delay", "0.05", "--max-delay", "0.2", "--idle", "0.05", "--batch", "8"]
        if drain { arguments += ["--drain", "--timeout", "90"] }
        return try CommandRunner.start(try TestBinaries.clearance(), arguments, in: Repository.root)
    }

    /// Every outbox row, from `clearance outbox list`.
    func outbox(_ url: String) async throws -> [OutboxRow] {
        let listed = try await CLI.run(["outbox", "list", "--store", url, "--limit", "10000"])
        #expect(listed.status == 0, "\(listed.output)")
        return listed.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count >= 5, fields[4].hasPrefix("attempts="), let attempts = Int(fields[4].dropFirst("attempts=".count)) else { return nil }
            return OutboxRow(status: fields[1], guid: fields[3], attempts: attempts)
        }
    }

    func assertShipmentOrder(_ shipments: [SampleShipment], _ arrival: [String]) {
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
        let deadline = Date().addingTimeInterval(300)
        while simulator.receivedCounts.count < 10, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        first.kill()
        _ = await first.wait(timeout: 10)
        let atKill = simulator.receivedCounts.count
        #expect(atKill >= 10)
        #expect(atKill < expected.count, "killed mid-delivery")

        let second = try await deliver(setup, drain: true).wait(timeout: 120)
        #expect(!second.timedOut, "the restarted worker drains the outbox")
        #expect(second.status == 0, "\(second.output.suffix(2000))")
        await server.stop()
        await simulator.shutdown()

        let rows = try await outbox(setup.url)
        #expect(rows.count == expected.count)
        #expect(rows.allSatisfy { $0.status == "delivered" }, "no loss")
        let counts = simulator.receivedCounts
        #expect(Set(counts.keys) == expected)
        // Each arrival is a recorded attempt (nothing is sent without a claim), and only rows in flight
        // at the kill arrive twice (two rounds of 8 at most: the worker claims its next round while the
        // one before is still delivering, `DeliveryWorker.roundsInFlight`): the 60 s request timeout
        // keeps a saturated machine's slow answers from counting as failures (a 5 s one let a
        // timed-out, yet received, row retry).
        let attempts = Dictionary(rows.map { ($0.guid, $0.attempts) }, uniquingKeysWith: max)
        for (guid, count) in counts { #expect(count <= attempts[guid] ?? 0, "\(guid) arrived \(count)×, attempts \(attempts[guid] ?? 0)") }
        let redelivered = counts.filter { $0.value > 1 }
        #expect(redelivered.count <= 16, "only rows in flight at the kill (two rounds) may arrive twice: \(redelivered.keys.map { "\($0): attempts \(attempts[$0] ?? 0)" })")
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

        let workerA = try deliver(setup, drain: true)
        let workerB = try deliver(setup, drain: true)
        let a = await workerA.wait(timeout: 120)
        let b = await workerB.wait(timeout: 120)
        #expect(!a.timedOut && !b.timedOut)
        #expect(a.status == 0 && b.status == 0, "\(a.output.suffix(1000)) \(b.output.suffix(1000))")
        await server.stop()
        await simulator.shutdown()

        let rows = try await outbox(setup.url)
        #expect(rows.count == expected.count)
        #expect(rows.allSatisfy { $0.status == "delivered" })
        let counts = simulator.receivedCounts
        #expect(Set(counts.keys) == expected)
        #expect(counts.values.allSatisfy { $0 == 1 }, "FOR UPDATE SKIP LOCKED: no row delivered by both workers")
        #expect(rows.allSatisfy { $0.attempts == 1 })
        assertShipmentOrder(setup.shipments, simulator.arrivalOrder)
    }
}
