@testable import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import Logging
import Synchronization
import HummingbirdTesting
import Testing

@Suite("Health, metrics, receipts feed and OpenAPI")
struct ServiceTests {
    @Test("health answers live and ready; metrics count messages by type and verdict and show the outbox", arguments: TestEngine.allCases)
    func healthAndMetrics(engine: TestEngine) async throws {
        let h = try await Harness.make(storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                for uri in ["/health", "/health/live", "/health/ready"] {
                    try await client.execute(uri: uri, method: .get) { r in
                        #expect(r.status == .ok)
                        let json = try r.json()
                        #expect(json["status"] as? String == "ok")
                    }
                }
            }
            // A new application: the figures the health checks read are not 5 s old yet in the first one.
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                try await client.execute(uri: "/metrics", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains(#"clearance_messages_total{type="CEB311",verdict="routed"} 1"#))
                    #expect(r.text.contains(#"clearance_messages_total{type="CEB311",verdict="duplicate"} 1"#))
                    #expect(r.text.contains("clearance_outbox_depth 1"))
                    #expect(r.text.contains(#"clearance_outbox_rows{status="pending"} 1"#))
                    #expect(r.text.contains("clearance_outbox_oldest_age_seconds"))
                    #expect(r.text.contains("clearance_http_request_duration_seconds_count"))
                    // The routed message went through group commit (the duplicate was answered from its stored answer).
                    #expect(r.text.contains("clearance_group_commit_writes 1"), "\(r.text)")
                    #expect(r.text.contains("clearance_group_commit_groups 1"))
                    #expect(r.text.contains("clearance_group_commit_retried_alone 0"))
                }
            }
            // A closed store makes readiness fail while liveness still answers; the store's error is
            // logged, not shown.
            await h.store.close()
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { r in
                    #expect(r.status == .serviceUnavailable)
                    let keys = try r.json().keys.sorted()
                    #expect(keys == ["engine", "status", "store"], "\(r.text)")
                }
                try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/metrics", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains("clearance_store_up 0"))
                }
            }
            #expect(h.logs.all.contains { $0.contains("store check failed") })
        }
    }

    @Test("a burst of health and metrics requests costs the store one query", arguments: TestEngine.allCases)
    func healthAndMetricsAreCached(engine: TestEngine) async throws {
        // An age the burst cannot outlast even on a loaded machine (the default is 5 s).
        var configuration = ServerConfiguration()
        configuration.storeFiguresMaxAgeSeconds = 600
        let h = try await Harness.make(configuration: configuration, storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for i in 0..<90 {
                        group.addTask {
                            try await client.execute(uri: ["/health", "/health/ready", "/metrics"][i % 3], method: .get).status
                        }
                    }
                    for try await status in group { #expect(status == .ok) }
                }
                try await client.execute(uri: "/metrics", method: .get) { r in
                    #expect(r.text.contains("clearance_store_figure_reads_total 1\n"), "\(r.text)")
                    #expect(r.text.contains("clearance_store_up 1"))
                    #expect(r.text.contains(#"clearance_outbox_rows{status="dead"} 0"#))
                }
            }
        }
    }

    @Test("concurrent readers share one read; a reading is reused for its age, then read again")
    func figuresCache() async throws {
        // Sharing and reuse: an age no loaded machine reaches during the test.
        let reads = Mutex(0)
        let figures = StoreFigures(maxAge: .seconds(600), metrics: ServiceMetrics(), logger: Logger(label: "test")) {
            reads.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(100))
            return OutboxFigures(rows: [.pending: 3], oldestUndelivered: nil)
        }
        await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<50 { group.addTask { await figures.current()?.depth } }
            for await depth in group { #expect(depth == 3) }
        }
        #expect(reads.withLock { $0 } == 1)
        _ = await figures.current()
        #expect(reads.withLock { $0 } == 1)
        // Expiry: an age any pause passes.
        let expiring = Mutex(0)
        let short = StoreFigures(maxAge: .milliseconds(20), metrics: ServiceMetrics(), logger: Logger(label: "test")) {
            expiring.withLock { $0 += 1 }
            return OutboxFigures(rows: [.pending: 3], oldestUndelivered: nil)
        }
        _ = await short.current()
        try await Task.sleep(for: .milliseconds(100))
        _ = await short.current()
        #expect(expiring.withLock { $0 } == 2)
    }

    @Test("with a metrics token, /metrics needs it as a bearer token; API keys do not open it")
    func metricsToken() async throws {
        let h = try await Harness.make(configuration: ServerConfiguration(metricsToken: "scrape-token-7f3a"))
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer scrape-token-7f3b"]) {
                    #expect($0.status == .unauthorized)
                }
                try await client.execute(uri: "/metrics", method: .get, headers: .key(h.keys[Parties.ops])) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer scrape-token-7f3a"]) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains("clearance_store_up 1"))
                }
                try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            }
        }
    }

    @Test("receipts feed: customs posts receipts, the merchant polls them with a cursor, a stranger sees none")
    func receiptsFeed() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.customs]),
                                         body: ByteBuffer(bytes: try h.customsReceipt("CEB312-order-return.xml"))) { r in
                    #expect(r.status == .accepted)
                    let verdict = try r.json()
                    #expect(verdict["verdict"] as? String == "receipt")
                }
                // Merchants do not post receipts.
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.merchant]),
                                         body: ByteBuffer(bytes: try sample("CEB312-order-return.xml"))) { #expect($0.status == .forbidden) }
                let first = try await client.execute(uri: "/v1/receipts?since=0", method: .get, headers: .key(h.keys[Parties.merchant]))
                let feed = try first.json()
                let receipts = try #require(feed["receipts"] as? [[String: Any]])
                #expect(receipts.count == 1)
                let next = try #require(feed["next"] as? Int)
                try await client.execute(uri: "/v1/receipts?since=\(next)", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                    let again = try r.json()
                    #expect((again["receipts"] as? [Any])?.isEmpty == true)
                }
                try await client.execute(uri: "/v1/receipts", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                    let none = try r.json()
                    #expect((none["receipts"] as? [Any])?.isEmpty == true)
                }
                try await client.execute(uri: "/v1/receipts?since=abc", method: .get, headers: .key(h.keys[Parties.merchant])) {
                    #expect($0.status == .badRequest)
                }
            }
        }
    }

    @Test("the OpenAPI file validates and lists every route the router registers")
    func openAPI() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let spec = repositoryRoot.appendingPathComponent("Sources/ClearanceServer/Resources/openapi.yaml")
            let specPath = spec.path
            let (status, output) = try await onThread { () throws -> (Int32, String) in
                let ran = try CommandRunner.runBlocking("python3", ["-m", "openapi_spec_validator", specPath], timeout: 120)
                return (ran.status, ran.output)
            }
            #expect(status == 0, "openapi-spec-validator: \(output)")

            // Operations in the spec: "/path" → methods, from the YAML's indentation.
            let text = try String(contentsOf: spec, encoding: .utf8)
            var documented: Set<String> = []
            var currentPath: String?
            var inPaths = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line == "paths:" { inPaths = true; continue }
                if inPaths, let first = line.first, first != " " { inPaths = false }
                guard inPaths else { continue }
                if line.hasPrefix("  /"), line.hasSuffix(":") { currentPath = String(line.dropFirst(2).dropLast()); continue }
                for method in ["get", "post", "put", "delete", "patch"] where line == "    \(method):" {
                    documented.insert("\(method.uppercased()) \(currentPath ?? "")")
                }
            }
            let router = try ClearanceApplication.buildRouter(h.environment)
            let registered = Set(router.routes.map { route -> String in
                let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return "\(route.method.rawValue) /" + path.joined(separator: "/")
            })
            #expect(registered.count > 20)
            #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented).sorted())")
            #expect(documented.subtracting(registered).isEmpty, "documented but not served: \(documented.subtracting(registered).sorted())")

            // The service serves the same file.
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(r.text == text)
                }
            }
        }
    }
}
