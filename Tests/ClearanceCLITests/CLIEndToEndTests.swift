import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// The whole flow with the `clearance` executable only, as an operator runs it: simulate-customs
/// (HTTP or spool, receipts into a spool inbox), submit in random order, deliver --drain, receive, trace.
@Suite(.serialized) struct CLIEndToEndTests {
    /// Starts `clearance arguments…` in the checkout and returns at once (a simulator that runs beside the test).
    func start(_ arguments: [String]) throws -> RunningCommand {
        try CommandRunner.start(try TestBinaries.clearance(), arguments, in: Repository.root)
    }

    /// Takes the simulated customs' receipts from `inbox` (`clearance receive --from CUSTOMS`) until the
    /// order's inventory is cleared (899) or a minute has passed; returns the last `clearance trace`.
    func receiveUntilCleared(store: String, rules: String, inbox: String, orderNo: String) async throws -> String {
        var trace = ""
        let until = Date().addingTimeInterval(60)
        while Date() < until {
            _ = try await run(["receive", "--store", store, "--rules", rules, "--from", "CUSTOMS", inbox])
            trace = try await run(["trace", "--store", store, "orderNo=\(orderNo)"]).output
            if trace.contains("inventory [899]") { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return trace
    }

    func run(_ arguments: [String], seconds: Double = 120) async throws -> CommandRunner.Ran {
        try await CLI.run(arguments, timeout: seconds)
    }

    /// A fresh P-256 key and self-signed certificate for `code`, made by the OpenSSL command line.
    func selfSigned(_ code: String) async throws -> (key: String, cert: String) {
        let dir = scratchDirectory("key-\(code)")
        let key = dir + "/key.pem", cert = dir + "/cert.pem"
        let openssl = try await CommandRunner.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-subj", "/CN=\(code)", "-days", "2", "-addext", "keyUsage=digitalSignature"], timeout: 60)
        #expect(openssl.status == 0, "\(openssl.output)")
        return (key, cert)
    }

    @Test(arguments: TestEngine.allCases)
    func operatorRunReachesReleasedInTrace(_ engine: TestEngine) async throws {
        let dir = scratchDirectory("cli-e2e")
        let store = try freshURL(engine)
        let inbox = dir + "/receipts"
        let signing = try await CLI.authority("CUSTOMS", kind: "customs", store: store)
        let sim = try start(["simulate-customs", "--port", "0", "--receipts-dir", inbox, "--step-delay", "0.02", "--duration", "120"] + signing)
        defer { sim.stop() }
        let listening = await sim.waitForOutput(matching: #"127\.0\.0\.1:(\d+)/ceb"#, timeout: 30)
        let bound = try #require(listening.flatMap { Int($0.dropFirst("127.0.0.1:".count).dropLast("/ceb".count)) },
                                 "simulator started: \(sim.output)")
        let rules = dir + "/routes.yaml"
        try """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              customs:
                http: {url: "http://127.0.0.1:\(bound)/ceb", timeoutSeconds: 5}
                authority: customs
                envelope: dxp
                receiverId: DXPEDCCEB0000001
            rules:
              - name: all
                match: {messageType: [CEB311, CEB411, CEB511, CEB621]}
                to: customs
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let shipment = SampleShipment.make(engine == .sqlite ? 7001 : 7002)
        var files: [String] = []
        for part in shipment.all {
            let path = dir + "/\(part.name).xml"
            try Data(part.bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        var generator = SeededGenerator(seed: engine == .sqlite ? 5 : 6)
        files.shuffle(using: &generator)
        if files.last?.hasSuffix("inventory.xml") == true { files.swapAt(0, files.count - 1) }  // the inventory waits

        // The first file as an argument, the rest from a list: judged in that order.
        let list = dir + "/files.txt"
        try files.dropFirst().joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let submitted = try await run(["submit", "--store", store, "--rules", rules, files[0], "--files-from", list])
        #expect(submitted.status == 0, "\(submitted.output)")
        #expect(submitted.output.contains("awaiting documents"))
        #expect(submitted.output.contains("released inventory"))
        // The service signs: customs requires a signature on the CEB621 (unsigned, it would be dead-lettered).
        let service = try await selfSigned("SERVICE")
        let delivered = try await run(["deliver", "--store", store, "--rules", rules, "--drain", "--timeout", "60", "--idle", "0.05",
                                       "--key", service.key, "--cert", service.cert])
        #expect(delivered.status == 0, "\(delivered.output)")
        #expect(delivered.output.contains("delivered 4"))

        let trace = try await receiveUntilCleared(store: store, rules: rules, inbox: inbox, orderNo: shipment.orderNo)
        #expect(trace.contains("inventory [899]"), "\(trace)")
        #expect(trace.contains("status cleared"), "the shipment status heads the trace")
        for needle in ["status 800: 放行", "status 120", "awaiting-documents", "documents-matched", "routed", "delivered", "released 800"] {
            #expect(trace.contains(needle), "trace shows \(needle)")
        }
        #expect(trace.components(separatedBy: "→ customs: delivered").count - 1 == 4)
    }

    /// `clearance ingest --route`: a batch stored by the streaming ingest is queued for customs
    /// once its documents are all in; a batch holding a mismatch is held back with the reason.
    @Test func ingestRouteQueuesACompleteBatchAndHoldsARefusedOne() async throws {
        let dir = scratchDirectory("cli-ingest-route")
        let store = "sqlite://\(dir)/store.sqlite"
        let rules = try Self.spoolRules(dir)
        let good = [SampleShipment.make(7400), SampleShipment.make(7401)]
        let bad = [SampleShipment.make(7402) { text, kind in
            if kind == "order" { text = text.replacingOccurrences(of: "<ceb:buyerName>陈思远</ceb:buyerName>", with: "<ceb:buyerName>陈思源</ceb:buyerName>") }
        }]
        var parts: [String] = []
        for (n, s) in (good + bad).enumerated() {
            for (k, part) in [s.order, s.payment, s.waybill].enumerated() {
                let path = dir + "/part-\(n)-\(k).xml"
                try Data(part).write(to: URL(fileURLWithPath: path))
                parts.append(path)
            }
        }
        _ = try await run(["submit", "--store", store, "--rules", rules] + parts)
        let goodBatch = dir + "/good.xml", badBatch = dir + "/bad.xml"
        try SampleShipment.inventoryBatch(good).write(toFile: goodBatch, atomically: true, encoding: .utf8)
        try SampleShipment.inventoryBatch(bad).write(toFile: badBatch, atomically: true, encoding: .utf8)

        let routed = try await run(["ingest", "--route", "--rules", rules, "--store", store, "-q", goodBatch])
        #expect(routed.status == 0, "\(routed.output)")
        #expect(routed.output.contains("routed → customs"), "\(routed.output)")
        let held = try await run(["ingest", "--route", "--rules", rules, "--store", store, "-q", badBatch])
        #expect(held.status == 1, "\(held.output)")
        #expect(held.output.contains("refused") && held.output.contains("MAT006"), "\(held.output)")
        let trace = try await run(["trace", "--store", store, "orderNo=\(good[1].orderNo)"]).output
        #expect(trace.contains("declared"), "\(trace)")

        // Once the sender has a registered certificate, an unsigned batch is stored but refused, not routed.
        _ = try await CLI.authority("3516980E2K", kind: nil, store: store)
        let unsignedBatch = dir + "/unsigned.xml"
        try SampleShipment.inventoryBatch([SampleShipment.make(7403)]).write(toFile: unsignedBatch, atomically: true, encoding: .utf8)
        let unsigned = try await run(["ingest", "--route", "--rules", rules, "--store", store, "-q", unsignedBatch])
        #expect(unsigned.status == 1, "\(unsigned.output)")
        #expect(unsigned.output.contains("SIG001"), "\(unsigned.output)")
        let held2 = try await run(["trace", "--store", store, "orderNo=\(SampleShipment.make(7403).orderNo)"]).output
        #expect(held2.contains("refused") && !held2.contains("routed"), "\(held2)")
    }

    /// A routing table sending every import message to the spool folder `dir/out`, written to `dir/routes.yaml`.
    static func spoolRules(_ dir: String) throws -> String {
        let rules = dir + "/routes.yaml"
        try """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              customs:
                spool: {outbox: "\(dir)/out"}
                envelope: none
            rules:
              - name: all
                match: {messageType: [CEB311, CEB411, CEB511, CEB621]}
                to: customs
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        return rules
    }

    /// `submit --jobs`: many shipments' four documents taken 16 at once (so an inventory may be judged
    /// before its order): every one ends routed exactly once, and the output keeps the files' order.
    @Test(arguments: TestEngine.allCases)
    func submitManyAtOnceRoutesEveryShipmentOnceInFileOrder(_ engine: TestEngine) async throws {
        let dir = scratchDirectory("cli-submit-jobs")
        let store = try freshURL(engine)
        let rules = try Self.spoolRules(dir)
        var files: [String] = []
        for n in 0..<12 {
            let s = SampleShipment.make(7600 + n)
            // Inventory first: with 16 at once it is judged beside (or before) its documents.
            for (kind, bytes) in [("inventory", s.inventory), ("order", s.order), ("payment", s.payment), ("waybill", s.waybill)] {
                let path = dir + "/\(n)-\(kind).xml"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                files.append(path)
            }
        }
        let submitted = try await run(["submit", "--store", store, "--rules", rules, "--jobs", "16"] + files)
        #expect(submitted.status == 0, "\(submitted.output)")
        let named = submitted.output.split(separator: "\n").filter { $0.hasPrefix(dir) }.map { String($0.prefix { $0 != ":" }) }
        #expect(named == files, "one answer per file, in FILE order")
        let delivered = try await run(["deliver", "--store", store, "--rules", rules, "--drain", "--timeout", "60", "--idle", "0.05"])
        #expect(delivered.status == 0, "\(delivered.output)")
        #expect(delivered.output.contains("delivered 48"), "every message once: \(delivered.output)")
        let spooled = try FileManager.default.contentsOfDirectory(atPath: dir + "/out").filter { $0.hasSuffix(".xml") }
        #expect(spooled.count == 48, "\(spooled.count) files")
        #expect(try await run(["submit", "--store", store, "--rules", rules, "--jobs", "0", files[0]]).status == 2)
    }

    /// `clearance submit` checks signatures as the service does: once the sender has a registered
    /// certificate, an unsigned or foreign-signed message is refused and not stored; one signed
    /// with the registered key goes through with the verdict stored.
    @Test func submitRefusesMessagesNotSignedByTheRegisteredCertificate() async throws {
        let dir = scratchDirectory("cli-submit-sig")
        let store = "sqlite://\(dir)/store.sqlite"
        func certificate(_ name: String) async throws -> (key: String, cert: String) {
            let key = dir + "/\(name).key", cert = dir + "/\(name).crt"
            let openssl = try await CommandRunner.run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=\(name)", "-keyout", key, "-out", cert])
            #expect(openssl.status == 0, "\(openssl.output)")
            return (key, cert)
        }
        let platform = try await certificate("platform"), stranger = try await certificate("stranger")
        let sender = "91350128MA8T4K2Q5P"  // BaseTransfer/copCode of the fixtures
        #expect(try await run(["enterprise", "add", sender, "--name", "Pingtan platform", "--role", "system", "--store", store]).status == 0)
        let registered = try await run(["enterprise", "cert", "register", sender, platform.cert, "--store", store])
        #expect(registered.status == 0, "\(registered.output)")

        let s = SampleShipment.make(7500)
        let order = dir + "/order.xml"
        try Data(s.order).write(to: URL(fileURLWithPath: order))
        let unsigned = try await run(["submit", "--store", store, "--rules", Repository.defaultRoutes, order])
        #expect(unsigned.status == 1)
        #expect(unsigned.output.contains("SIG001"), "\(unsigned.output)")

        for (name, pair) in [("foreign", stranger), ("signed", platform)] {
            let out = dir + "/\(name)"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let signed = try await run(["sign", "--key", pair.key, "--cert", pair.cert, "--out-dir", out, order])
            #expect(signed.status == 0, "\(signed.output)")
        }
        let foreign = try await run(["submit", "--store", store, "--rules", Repository.defaultRoutes, dir + "/foreign/order.xml"])
        #expect(foreign.status == 1)
        #expect(foreign.output.contains("SIG003"), "\(foreign.output)")
        #expect(try await run(["trace", "--store", store, "orderNo=\(s.orderNo)"]).output.contains("no shipment"),
                "refused messages are not stored")

        let good = try await run(["submit", "--store", store, "--rules", Repository.defaultRoutes, dir + "/signed/order.xml"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("routed"), "\(good.output)")
        let trace = try await run(["trace", "--store", store, "--format", "json", "orderNo=\(s.orderNo)"]).output
        #expect(trace.contains("\"signature\":\"valid\""), "the verdict is stored: \(trace.prefix(2000))")
    }

    /// `clearance simulate-customs --spool`: the simulator takes what `deliver` wrote into the
    /// outbound spool directory and answers into the receipts inbox, which `receive` reads.
    @Test func spoolModeSimulatorAnswersFromTheOutboundDirectory() async throws {
        let dir = scratchDirectory("cli-spool")
        let store = try freshURL(.sqlite)
        let out = scratchDirectory("spool-customs")
        let inbox = scratchDirectory("spool-receipts")
        let rules = dir + "/routes.yaml"
        try """
            version: 1
            senderId: S
            destinations:
              pingtan:
                spool: {outbox: "\(out)", inbox: "\(inbox)"}
                authority: customs
                envelope: dxp
                receiverId: DXPEDCCEB0003516
            rules:
              - name: all
                match: {messageType: [CEB311, CEB411, CEB511, CEB621]}
                to: pingtan
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let s = SampleShipment.make(7100)
        var files: [String] = []
        for part in s.all {
            let path = dir + "/\(part.name).xml"
            try Data(part.bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let submitted = try await run(["submit", "--store", store, "--rules", rules] + files)
        #expect(submitted.status == 0, "\(submitted.output)")
        // Customs requires a signature on the CEB621: the service signs.
        let service = try await selfSigned("SERVICE")
        let delivered = try await run(["deliver", "--store", store, "--rules", rules, "--drain", "--timeout", "30", "--idle", "0.02",
                                       "--key", service.key, "--cert", service.cert])
        #expect(delivered.status == 0, "\(delivered.output)")
        #expect(delivered.output.contains("delivered 4"), "\(delivered.output)")

        let signing = try await CLI.authority("CUSTOMS", kind: "customs", store: store)
        let sim = try start(["simulate-customs", "--spool", out, "--receipts-dir", inbox, "--step-delay", "0", "--duration", "120"] + signing)
        defer { sim.stop() }
        let trace = try await receiveUntilCleared(store: store, rules: rules, inbox: inbox, orderNo: s.orderNo)
        #expect(trace.contains("inventory [899]"), "\(trace)")
        let simulated = sim.stop()
        #expect(simulated.output.contains("customs: received 4 messages"), "\(simulated.output)")
        #expect(FileManager.default.fileExists(atPath: out + "/processed"), "taken files leave the spool")
    }

    @Test("enterprise webhook: the signing secret is printed once and stored; a URL change keeps it, --rotate-secret replaces it, --remove clears it; private addresses need --allow-private")
    func webhookSecretPrintedOnce() async throws {
        let url = try freshURL(.sqlite)
        let code = "91350100MA2YH3LK7J"
        let added = try await run(["enterprise", "add", code, "--name", "E-commerce", "--role", "merchant", "--store", url])
        #expect(added.status == 0, "\(added.output)")
        func secret(in output: String) -> String? {
            output.range(of: #"whsec_[0-9a-f]{64}"#, options: .regularExpression).map { String(output[$0]) }
        }
        let registered = try await run(["enterprise", "webhook", code, "https://merchant.example/hook", "--store", url])
        #expect(registered.status == 0, "\(registered.output)")
        let first = try #require(secret(in: registered.output))
        let moved = try await run(["enterprise", "webhook", code, "https://merchant.example/hook2", "--store", url])
        #expect(moved.status == 0 && secret(in: moved.output) == nil, "\(moved.output)")
        let store = try await openAccessStore(url: url)
        #expect(try await store.enterprise(code: code)?.webhookSecret == first)
        #expect(try await store.enterprise(code: code)?.webhookURL == "https://merchant.example/hook2")
        let rotated = try await run(["enterprise", "webhook", code, "https://merchant.example/hook2", "--rotate-secret", "--store", url])
        let second = try #require(secret(in: rotated.output))
        #expect(second != first)
        #expect(try await store.enterprise(code: code)?.webhookSecret == second)
        #expect(try await run(["enterprise", "webhook", code, "--remove", "--store", url]).status == 0)
        #expect(try await store.enterprise(code: code)?.webhookSecret == nil)
        #expect(try await store.enterprise(code: code)?.webhookURL == nil)
        #expect(try await run(["enterprise", "webhook", code, "ftp://nowhere", "--store", url]).status == 2)
        // Private and link-local addresses: refused, by `webhook` and by `add --webhook` (which then saves nothing),
        // unless ops allow them explicitly.
        let metadata = try await run(["enterprise", "webhook", code, "http://169.254.169.254/latest/meta-data/", "--store", url])
        #expect(metadata.status == 2 && !metadata.output.contains("whsec_"), "\(metadata.output)")
        #expect(try await run(["enterprise", "add", "3516980E2K", "--name", "Agent", "--role", "merchant",
                               "--webhook", "http://10.0.0.1/", "--store", url]).status == 2)
        #expect(try await store.enterprise(code: "3516980E2K") == nil)
        #expect(try await store.enterprise(code: code)?.webhookURL == nil)
        let allowed = try await run(["enterprise", "webhook", code, "http://10.0.0.1/", "--allow-private", "--store", url])
        #expect(allowed.status == 0, "\(allowed.output)")
        #expect(try await store.enterprise(code: code)?.webhookAllowPrivate == true)
        await store.close()
    }
}

extension CLIEndToEndTests {
    /// `clearance receive` takes receipts only for an authority account, signed with its
    /// registered certificate: an unsigned or foreign-signed receipt is refused and moves nothing,
    /// a non-authority `--from` is a usage error, and the explicit insecure flag is loud.
    @Test func receiveRefusesReceiptsNotSignedByTheAuthority() async throws {
        let dir = scratchDirectory("cli-receive-sig")
        let store = "sqlite://\(dir)/store.sqlite"
        _ = try await CLI.authority("CUSTOMS", kind: "customs", store: store)
        let (otherKey, otherCert) = try await selfSigned("IMPOSTOR")
        let receipt = Repository.samplePath("CEB312-order-return.xml")
        let unsigned = try await run(["receive", "--store", store, "--from", "CUSTOMS", receipt])
        #expect(unsigned.status == 1 && unsigned.output.contains("SIG001"), "\(unsigned.output)")
        let foreign = dir + "/foreign.xml"
        let signed = try await run(["sign", "--key", otherKey, "--cert", otherCert, "-o", foreign, receipt])
        #expect(signed.status == 0, "\(signed.output)")
        let refused = try await run(["receive", "--store", store, "--from", "CUSTOMS", foreign])
        #expect(refused.status == 1 && refused.output.contains("SIG003"), "\(refused.output)")
        _ = try await run(["enterprise", "add", "PLATFORM", "--store", store, "--name", "p", "--role", "system"])
        let notAuthority = try await run(["receive", "--store", store, "--from", "PLATFORM", receipt])
        #expect(notAuthority.status == 2 && notAuthority.output.contains("not an authority"), "\(notAuthority.output)")
        let insecure = try await run(["receive", "--store", store, "--from", "CUSTOMS", "--INSECURE-accept-unverified-receipts", receipt])
        #expect(insecure.status == 0 && insecure.output.contains("WARNING"), "\(insecure.output)")
        let trace = try await run(["stats", "--store", store]).output
        #expect(trace.contains("receipts") , "\(trace)")
    }
}
