import ClearanceTestSupport
import Foundation
import Testing

/// The inspection and payment/FX answers with the `clearance` executable only: `simulate-customs`
/// in spool mode as each authority, `receive`, then `trace` shows the answers, their events and a
/// shipment status that customs' release keeps.
@Suite(.serialized) struct CLIAuthorityAnswerTests {
    /// Runs `simulate-customs --spool` as `counterpart` over `samples`, then `receive`s its answers.
    func answer(_ counterpart: String, samples: [String], options: [String], store: String, from authority: String, signing: [String]) async throws {
        let spool = try Self.temporaryDirectory("spool"), inbox = try Self.temporaryDirectory("answers")
        defer {
            try? FileManager.default.removeItem(atPath: spool)
            try? FileManager.default.removeItem(atPath: inbox)
        }
        for sample in samples {
            try FileManager.default.copyItem(
                atPath: Repository.samplePath(sample), toPath: spool + "/" + (sample as NSString).lastPathComponent)
        }
        let simulated = try await CLI.run(
            ["simulate-customs", "--spool", spool, "--counterpart", counterpart, "--receipts-dir", inbox, "--step-delay", "0.01",
             "--duration", "1.5"] + options + signing, timeout: 60)
        #expect(simulated.status == 0, "\(simulated.output)")
        #expect(simulated.output.contains("\(counterpart): received \(samples.count) messages"), "\(simulated.output)")
        let received = try await CLI.run(["receive", "--store", store, "--from", authority, inbox])
        #expect(received.status == 0, "\(received.output)")
    }

    static func temporaryDirectory(_ label: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-cli-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.path
    }

    @Test func traceShowsAnInspectionHoldAndAPaymentRejectionAfterRelease() async throws {
        let store = try freshURL(.sqlite)
        // Routed by the default table, so the inspection and payment/FX destinations are the ones
        // these documents went to: their authorities' answers are linked only to those.
        let ingested = try await CLI.run(["ingest", "--store", store, "--quiet", "--route", "samples/valid/CEB311-order.xml",
                                          "samples/valid/CEB411-payment.xml", "samples/valid/CEB511-logistics.xml",
                                          "samples/unsigned/CEB621-inventory-with-inspection.xml"])
        #expect(ingested.status == 0, "\(ingested.output)")
        // The operator's local import of customs' release (no channel to judge it by).
        let released = try await CLI.run(["ingest", "--store", store, "--quiet", "--INSECURE-import-receipts", "samples/valid/CEB622-inventory-return.xml"])
        let refused = try await CLI.run(["ingest", "--store", store, "samples/valid/CEB412-payment-return.xml"])
        #expect(refused.status == 1 && refused.output.contains("RCP001"), "receipts are not imported by default: \(refused.output)")
        #expect(released.status == 0, "\(released.output)")
        let inspection = try await CLI.authority("CIQ", kind: "inspection", store: store)
        let payment = try await CLI.authority("SAFE", kind: "payment-fx", store: store)
        try await answer("inspection", samples: ["unsigned/CEB621-inventory-with-inspection.xml"], options: ["--inspection-hold-rate", "1"],
                         store: store, from: "CIQ", signing: inspection)
        try await answer("payment", samples: ["CEB411-payment.xml"], options: ["--payment-reject-rate", "1"],
                         store: store, from: "SAFE", signing: payment)
        let trace = try await CLI.run(["trace", "--store", store, "orderNo=PT202611250001"]).output
        for needle in ["status released", "inventory [800]", "inspection status 500", "inspection status 800", "inspection-hold 500",
                       "inspection-released", "payment-forex status 100", "payment-rejected 100"] {
            #expect(trace.contains(needle), "trace shows \(needle):\n\(trace)")
        }
        #expect(!trace.contains("unmatched-receipt"), "every answer matched:\n\(trace)")
        let json = try await CLI.run(["trace", "--store", store, "--format", "json", "orderNo=PT202611250001"]).output
        #expect(json.contains(#""status":"released""#), "\(json)")
        #expect(json.contains(#""forKind":"inspection""#) && json.contains(#""forKind":"payment-forex""#), "\(json)")
    }

    @Test func badRatesAndCounterpartsAreUsageErrors() async throws {
        let badRate = try await CLI.run(["simulate-customs", "--port", "0", "--payment-reject-rate", "1.5", "--duration", "0.1"])
        #expect(badRate.status != 0)
        #expect(badRate.output.contains("--payment-reject-rate"), "\(badRate.output)")
        let badCounterpart = try await CLI.run(["simulate-customs", "--spool", "/tmp", "--counterpart", "bank", "--duration", "0.1"])
        #expect(badCounterpart.status != 0)
        #expect(badCounterpart.output.contains("--counterpart"), "\(badCounterpart.output)")
    }
}
