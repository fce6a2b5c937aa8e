import ClearanceTestSupport
import Foundation
import Testing

/// The `clearance` binary copied elsewhere and run from a directory that is not the checkout
/// needs no file beside it: the routing defaults are compiled in.
@Suite struct InstalledBinaryTests {
    /// The binary copied into a fresh directory, a working directory of its own with a sample
    /// order in it, and an environment without the settings that would point back at the checkout.
    struct Installed {
        let binary: String
        let work: URL
        let environment: [String: String]

        init() async throws {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-installed-\(UUID().uuidString)")
            let bin = root.appendingPathComponent("bin"), work = root.appendingPathComponent("work")
            for directory in [bin, work] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            binary = bin.appendingPathComponent("clearance").path
            // Copied by `install` in a process of its own: a copy written from this process leaves a
            // write descriptor that a child forked meanwhile by another test inherits until it execs,
            // and running the copy then fails with ETXTBSY ("Text file busy").
            let copied = try await CommandRunner.run("/usr/bin/env", ["install", "-m", "755", try TestBinaries.clearance(), binary])
            guard copied.status == 0 else { throw CocoaError(.fileWriteUnknown) }
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: Repository.samplePath("CEB311-order.xml")), to: work.appendingPathComponent("order.xml"))
            self.work = work
            environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CLEARANCE_") }
        }

        func run(_ arguments: [String]) async throws -> CommandRunner.Ran {
            try await CommandRunner.run(binary, arguments, in: work, environment: environment, timeout: 60)
        }
    }

    @Test func routeUsesTheBuiltInDefaults() async throws {
        let installed = try await Installed()
        let ran = try await installed.run(["route", "order.xml"])
        #expect(ran.status == 0, "\(ran.output)")
        #expect(ran.output.contains("customs-national"), "\(ran.output)")
        #expect(ran.output.contains("default-routes.yaml (built in)"), "\(ran.output)")
    }

    @Test func submitUsesTheBuiltInDefaults() async throws {
        let installed = try await Installed()
        let store = "sqlite:" + installed.work.appendingPathComponent("clearance.sqlite").path
        let ran = try await installed.run(["submit", "--store", store, "order.xml"])
        #expect(ran.status == 0, "\(ran.output)")
        #expect(ran.output.contains("CEB311"), "\(ran.output)")
    }

    /// `serve` needs no resource bundle beside the binary: the ops pages render and `/openapi.yaml` is served
    /// from what is compiled in (`scripts/embed-defaults.py`).
    @Test func serveRendersItsPagesAndAPIDescription() async throws {
        let installed = try await Installed()
        let store = "sqlite:" + installed.work.appendingPathComponent("clearance.sqlite").path
        let serve = try CommandRunner.start(installed.binary, ["serve", "--store", store, "--port", "0"],
                                            in: installed.work, environment: installed.environment)
        defer { _ = serve.stop() }
        let base = await serve.waitForOutput(matching: #"serving on (http://[0-9.]+:[0-9]+)"#, timeout: 60)
            .map { String($0.dropFirst("serving on ".count)) }
        let url = try #require(base, "clearance serve started: \(serve.output.suffix(2000))")
        let api = try await CommandRunner.run("/usr/bin/env", ["curl", "-s", "-w", "\n%{http_code}", "\(url)/openapi.yaml"], timeout: 60)
        #expect(api.output.hasSuffix("\n200") && api.output.contains("openapi: 3.0.3") && api.output.contains("/v1/orders:"), "\(api.output.prefix(300))")
        let login = try await CommandRunner.run("/usr/bin/env", ["curl", "-s", "-w", "\n%{http_code}", "\(url)/ops/login"], timeout: 60)
        #expect(login.output.hasSuffix("\n200") && login.output.contains("<form"), "\(login.output.prefix(500))")
    }
}
