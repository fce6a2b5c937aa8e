import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import CustomsSimulator
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The whole flow with the `clearance` executable only, as an operator runs it: simulate-customs
/// (HTTP, receipts into a spool inbox), submit in random order, deliver --drain, receive, trace.
@Suite(.serialized) struct CLIEndToEndTests {
    struct Ran { var status: Int32; var output: String }

    func start(_ arguments: [String], output: String) throws -> Process {
        let binary = try #require(FlowFixtures.clearanceBinary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = FlowFixtures.root
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        return process
    }

    func run(_ arguments: [String], seconds: Double = 120) async throws -> Ran {
        let out = FlowFixtures.tempDir("cli") + "/out.txt"
        let process = try start(arguments, output: out)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try await Task.sleep(nanoseconds: 10_000_000) }
        return Ran(status: process.terminationStatus, output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    @Test(arguments: TestEngine.allCases)
    func operatorRunReachesReleasedInTrace(_ engine: TestEngine) async throws {
        let dir = FlowFixtures.tempDir("cli-e2e")
        let store = try freshURL(engine)
        let inbox = dir + "/receipts"
        let simOut = dir + "/sim.txt"
        let sim = try start(["simulate-customs", "--port", "0", "--receipts-dir", inbox, "--step-delay", "0.02", "--duration", "120"], output: simOut)
        defer { kill(sim.processIdentifier, SIGTERM) }
        var port: Int?
        let deadline = Date().addingTimeInterval(30)
        while port == nil, Date() < deadline {
            let text = (try? String(contentsOfFile: simOut, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"127\.0\.0\.1:(\d+)/ceb"#, options: .regularExpression) {
                port = Int(text[r].dropFirst("127.0.0.1:".count).dropLast("/ceb".count))
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let bound = try #require(port, "simulator started")
        let rules = dir + "/routes.yaml"
        try """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              customs:
                http: {url: "http://127.0.0.1:\(bound)/ceb", timeoutSeconds: 5}
                envelope: dxp
                receiverId: DXPEDCCEB0000001
            rules:
              - name: all
                match: {messageType: [CEB311, CEB411, CEB511, CEB621]}
                to: customs
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let shipment = FlowFixtures.shipment(engine == .sqlite ? 7001 : 7002)
        var files: [String] = []
        for part in shipment.all {
            let path = dir + "/\(part.name).xml"
            try Data(part.bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        var generator = SeededGenerator(seed: engine == .sqlite ? 5 : 6)
        files.shuffle(using: &generator)
        if files.last?.hasSuffix("inventory.xml") == true { files.swapAt(0, files.count - 1) }  // the inventory waits

        let submitted = try await run(["submit", "--store", store, "--rules", rules] + files)
        #expect(submitted.status == 0, "\(submitted.output)")
        #expect(submitted.output.contains("awaiting documents"))
        #expect(submitted.output.contains("released inventory"))
        let delivered = try await run(["deliver", "--store", store, "--rules", rules, "--drain", "--timeout", "60", "--idle", "0.05"])
        #expect(delivered.status == 0, "\(delivered.output)")
        #expect(delivered.output.contains("delivered 4"))

        var trace = ""
        let until = Date().addingTimeInterval(60)
        while Date() < until {
            _ = try await run(["receive", "--store", store, inbox])
            trace = try await run(["trace", "--store", store, "orderNo=\(shipment.orderNo)"]).output
            if trace.contains("inventory [899]") { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(trace.contains("inventory [899]"), "\(trace)")
        #expect(trace.contains("status cleared"), "the shipment status heads the trace")
        for needle in ["status 800: 放行", "status 120", "awaiting-documents", "documents-matched", "routed", "delivered", "released 800"] {
            #expect(trace.contains(needle), "trace shows \(needle)")
        }
        #expect(trace.components(separatedBy: "→ customs: delivered").count - 1 == 4)
    }

    @Test func spoolModeSimulatorAnswersFromTheOutboundDirectory() async throws {
        let store = try await makeFlowStore(.sqlite)
        let out = FlowFixtures.tempDir("spool-customs")
        let inbox = FlowFixtures.tempDir("spool-receipts")
        let destination = DestinationConfig(name: "pingtan", transport: .spool(.init(outbox: out, inbox: inbox)), envelope: .dxp, receiverId: "DXPEDCCEB0003516")
        var match = RoutingRule.Match()
        match.messageTypes = ["CEB311", "CEB411", "CEB511", "CEB621"]
        let table = RoutingTable(senderId: "S", destinations: ["pingtan": destination], rules: [RoutingRule(name: "all", match: match, destinations: ["pingtan"])])
        let flow = ClearanceFlow(store: store, routing: { table })
        let s = FlowFixtures.shipment(7100)
        for part in s.all { _ = try await flow.accept(part.bytes) }
        let worker = DeliveryWorker(store: store, table: { table }, destinations: try DestinationFactory.make(table),
                                    preparer: OutboundPreparer(key: nil, certificate: nil, senderId: "S"),
                                    policy: DeliveryPolicy(idlePollSeconds: 0.02))
        #expect(try await worker.drain(maxRounds: 100, timeout: 30).delivered == 4)
        let simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0, receiptsSpool: inbox))
        #expect(SpoolSimulator(simulator: simulator, directory: out).pollOnce() == 4)
        #expect(await simulator.waitUntilIdle(timeout: 20))
        let processor = ReceiptProcessor(store: store)
        let reader = SpoolInbox(directory: inbox)
        for file in reader.pending() {
            _ = try await processor.process(Array(FileManager.default.contents(atPath: file) ?? Data()))
            reader.finish(file, failed: false)
        }
        let timeline = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(timeline.declarations.first { $0.kind == .inventory }?.status == "899")
        #expect(FileManager.default.fileExists(atPath: out + "/processed"), "taken files leave the spool")
        await simulator.shutdown()
        await store.close()
    }
}
