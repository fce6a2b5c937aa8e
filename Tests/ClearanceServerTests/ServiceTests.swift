import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Health, metrics, receipts feed and OpenAPI")
struct ServiceTests {
    @Test("health answers live and ready; metrics count messages by type and verdict and show the outbox")
    func healthAndMetrics() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        try await h.application().test(.router) { client in
            for uri in ["/health", "/health/live", "/health/ready"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok)
                    let json = try r.json()
                    #expect(json["status"] as? String == "ok")
                }
            }
            try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                     body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                     body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains(#"clearance_messages_total{type="CEB311",verdict="routed"} 1"#))
                #expect(r.text.contains(#"clearance_messages_total{type="CEB311",verdict="duplicate"} 1"#))
                #expect(r.text.contains("clearance_outbox_depth 1"))
                #expect(r.text.contains("clearance_outbox_oldest_age_seconds"))
                #expect(r.text.contains("clearance_http_request_duration_seconds_count"))
            }
        }
        // A closed store makes readiness fail while liveness still answers.
        await h.store.close()
        try await h.application().test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("receipts feed: customs posts receipts, the merchant polls them with a cursor, a stranger sees none")
    func receiptsFeed() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
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

    @Test("the OpenAPI file validates and lists every route the router registers")
    func openAPI() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        let spec = repositoryRoot.appendingPathComponent("Sources/ClearanceServer/Resources/openapi.yaml")
        let specPath = spec.path
        let (status, output) = try await onThread { () throws -> (Int32, String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "openapi_spec_validator", specPath]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output)
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
