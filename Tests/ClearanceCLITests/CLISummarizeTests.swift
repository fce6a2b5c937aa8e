import ClearanceTestSupport
import Foundation
import Testing

/// `clearance summarize` as an operator runs it: the JSON face on a store of submitted (not yet cleared)
/// export inventories, and the refusal of a bad period (exit code 2, SUM001). The declarations themselves
/// are checked through the library on both stores (ClearanceRoutingTests' ExportSummaryTests).
@Suite struct CLISummarizeTests {
    @Test func dryRunListsEveryInventoryWithItsReasonAndABadPeriodIsAUsageError() async throws {
        let dir = scratchDirectory("cli-summarize")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = "sqlite://\(dir)/store.sqlite"
        let month = ExportMonth.make(count: 4, seed: 31)
        var files: [String] = []
        for (index, s) in month.shipments.enumerated() {
            for (kind, bytes) in [("order", ExportMonth.order(s)), ("receipt", ExportMonth.paymentReceipt(s)),
                                  ("waybill", ExportMonth.waybill(s)), ("inventory", ExportMonth.inventory(s))] {
                let path = "\(dir)/\(index)-\(kind).xml"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                files.append(path)
            }
        }
        let submitted = try await CLI.run(["submit", "--store", store] + files)
        #expect(submitted.status == 0, "\(submitted.output)")

        let ebc = ExportMonth.enterprises[0]
        let dry = try await CLI.run(["summarize", "--store", store, "--ebc", ebc, "--period", "2026-10", "--dry-run", "--format", "json"])
        #expect(dry.status == 0, "\(dry.output)")
        let line = try #require(dry.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(dry.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(dry.output)")
        #expect(json["ebcCode"] as? String == ebc)
        #expect(json["deadline"] as? String == "2026-11-16", "15 November 2026 is a Sunday")
        #expect((json["declarations"] as? [Any])?.isEmpty == true, "nothing is cleared yet")
        let exclusions = try #require(json["exclusions"] as? [[String: Any]])
        let mine = month.shipments.filter { $0.ebcCode == ebc }
        #expect(Set(exclusions.compactMap { $0["copNo"] as? String }) == Set(mine.map(\.copNo)))
        #expect(exclusions.allSatisfy { $0["reason"] as? String == "not-cleared" }, "\(exclusions)")

        let text = try await CLI.run(["summarize", "--store", store, "--ebc", ebc, "--period", "2026-10"])
        #expect(text.status == 0, "\(text.output)")
        #expect(text.output.contains("0 declaration(s)") && text.output.contains("left out: \(mine[0].copNo) — not cleared (status declared)"),
                "\(text.output)")

        let bad = try await CLI.run(["summarize", "--store", store, "--ebc", ebc, "--period", "2026-13"])
        #expect(bad.status == 2)
        #expect(bad.output.contains("SUM001"), "\(bad.output)")
    }
}
