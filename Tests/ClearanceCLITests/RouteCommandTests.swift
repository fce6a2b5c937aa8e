import ClearanceTestSupport
import Foundation
import Testing

/// `clearance route` as ops run it: a dry run that names destinations and deciding rules.
@Suite struct RouteCommandTests {
    func run(_ arguments: [String]) async throws -> CommandRunner.Ran { try await CLI.run(arguments, timeout: 60) }

    @Test func dryRunNamesDestinationsAndRules() async throws {
        let ran = try await run([
            "route", "--rules", "schemas/routing/default-routes.yaml",
            "samples/valid/CEB621-inventory.xml", "samples/valid/CEB411-payment.xml", "samples/valid/CEB311-order.xml",
        ])
        #expect(ran.status == 0, "\(ran.output)")
        #expect(ran.output.contains("CEB621-inventory.xml: CEB621 633D3008-5225-53BE-9706-D84FB8A4BDED → customs-pingtan"))
        #expect(ran.output.contains("rules: pingtan-taiwan-channel"))
        #expect(ran.output.contains("port=3516"))
        #expect(ran.output.contains("CEB411-payment.xml: CEB411") && ran.output.contains("→ payment-forex, customs-national"))
        #expect(ran.output.contains("rules: payments-to-forex → customs-national"))
    }

    @Test func unroutedMessageExitsOne() async throws {
        let ran = try await run(["route", "--rules", "schemas/routing/default-routes.yaml", "samples/valid/CEB900-format-error.xml"])
        #expect(ran.status == 1)
        #expect(ran.output.contains("UNROUTED"))
    }

    @Test func invalidRulesExitTwoWithPositions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-badrules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("r.yaml").path
        try "version: 1\nsenderId: X\ndestinations: {}\nrules:\n  - name: a\n    to: nowhere\n".write(toFile: path, atomically: true, encoding: .utf8)
        let ran = try await run(["route", "--rules", path, "samples/valid/CEB311-order.xml"])
        #expect(ran.status == 2)
        #expect(ran.output.contains("\(path):6:") && ran.output.contains("unknown destination 'nowhere'"), "\(ran.output)")
    }
}
