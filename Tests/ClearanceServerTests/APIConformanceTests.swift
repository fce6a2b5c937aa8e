import ClearanceTestSupport
import Foundation
import Testing

/// The service against its own `/openapi.yaml`, probed by schemathesis (property-based requests
/// generated from the document): the real `clearance serve` binary on a throwaway SQLite store,
/// once with an ops key and once with a merchant key. Any server error, status code, content
/// type or response body the document does not describe fails the test.
@Suite("The API as documented (schemathesis)")
struct APIConformanceTests {
    static let checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

    @Test("schemathesis finds nothing against /openapi.yaml, for an ops key and a merchant key")
    func schemathesis() async throws {
        let tool = try await onThread { try Schemathesis.locateOrInstall() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-schemathesis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let clearance = try TestBinaries.clearance()
        let store = "sqlite:" + work.appendingPathComponent("store.sqlite").path

        // Accounts, and an outbox row that stays pending (its destination is a closed loopback port),
        // so replaying row 1 meets a row that is not dead.
        let rules = work.appendingPathComponent("routes.yaml")
        try """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              customs:
                http: { url: "http://127.0.0.1:9/ceb", timeoutSeconds: 2 }
                envelope: none
                maxAttempts: 1000
            rules:
              - name: orders
                match: { messageType: CEB311 }
                to: [customs]
            """.write(to: rules, atomically: true, encoding: .utf8)
        var keys: [String: String] = [:]
        for (code, role) in [("OPS", "ops"), ("91350100MA2YH3LK7J", "merchant")] {
            let added = try await CommandRunner.run(clearance, ["enterprise", "add", code, "--name", code, "--role", role, "--store", store], timeout: 60)
            #expect(added.status == 0, "\(added.output)")
            let created = try await CommandRunner.run(clearance, ["enterprise", "key", "create", code, "--store", store], timeout: 60)
            keys[role] = created.output.split(separator: "\n").first { $0.hasPrefix("clr_") }.map(String.init)
        }
        let order = repositoryRoot.appendingPathComponent("samples/valid/CEB311-order.xml").path
        let submitted = try await CommandRunner.run(clearance, ["submit", "--store", store, "--rules", rules.path, order], timeout: 60)
        #expect(submitted.status == 0, "\(submitted.output)")

        let service = try CommandRunner.start(clearance, [
            "serve", "--store", store, "--rules", rules.path, "--port", "0", "--rate", "100000"], output: work.appendingPathComponent("serve.log"))
        defer { service.stop() }
        let base = try #require(await service.waitForOutput(matching: #"serving on (http://[0-9.]+:[0-9]+)"#, timeout: 60)
            .map { String($0.dropFirst("serving on ".count)) }, "clearance serve did not start: \(service.output)")

        for role in ["ops", "merchant"] {
            let key = try #require(keys[role], "no \(role) key was created")
            let report = work.appendingPathComponent("schemathesis-\(role).log")
            let ran = try await CommandRunner.run(tool, ["run", "\(base)/openapi.yaml", "--url", base, "-H", "Authorization: Bearer \(key)",
                                                         "--checks", Self.checks, "--max-examples", "10", "--max-time", "25", "--workers", "1",
                                                         "--generation-database", "none", "--no-color", "--seed", "1"],
                                                  in: work, timeout: 120) // its cache directory goes there, not into the repository
            let output = ran.output
            try? Data(ran.outputBytes).write(to: report)
            #expect(ran.status == 0, "schemathesis (\(role) key) found problems:\n\(output.suffix(6000))")
            #expect(output.contains("passed"), "\(output.suffix(2000))")
        }
    }
}

/// Where schemathesis is: `$CLEARANCE_SCHEMATHESIS`, the venv `scripts/test.sh` creates under
/// `.build`, or that venv created now; the test is skipped (cancelled with the reason) only when
/// it cannot be installed.
enum Schemathesis {
    static let venv = repositoryRoot.appendingPathComponent(".build/schemathesis-venv")

    static func locateOrInstall() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CLEARANCE_SCHEMATHESIS"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let tool = venv.appendingPathComponent("bin/schemathesis").path
        if FileManager.default.isExecutableFile(atPath: tool) { return tool }
        let created = try CommandRunner.runBlocking("python3", ["-m", "venv", venv.path], timeout: 120)
        let pip = venv.appendingPathComponent("bin/pip").path
        let installed = created.status == 0 ? try CommandRunner.runBlocking(pip, ["install", "-q", "schemathesis"], timeout: 600) : created
        guard installed.status == 0, FileManager.default.isExecutableFile(atPath: tool) else {
            let why = "schemathesis cannot be installed (python3 -m venv \(venv.path) && pip install schemathesis failed: "
                + "\(installed.output.suffix(500))); scripts/test.sh installs it"
            try Test.cancel(Comment(rawValue: why))
        }
        return tool
    }
}
