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

    /// `refund-data` and `fx-settlement` on a store of submitted exports: nothing released or summarised yet,
    /// so every paid order is paid-not-exported and no declaration is there to refund; JSON and CSV; SUM001.
    @Test func moneyDatasetsPrintJSONAndCSV() async throws {
        let dir = scratchDirectory("cli-money")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = "sqlite://\(dir)/store.sqlite"
        let month = ExportMonth.make(count: 4, seed: 33)
        var files: [String] = []
        for (index, s) in month.shipments.enumerated() {
            for (kind, bytes) in [("order", ExportMonth.order(s)), ("receipt", ExportMonth.paymentReceipt(s)), ("inventory", ExportMonth.inventory(s))] {
                let path = "\(dir)/\(index)-\(kind).xml"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                files.append(path)
            }
        }
        #expect(try await CLI.run(["submit", "--store", store] + files).status == 0)
        let ebc = ExportMonth.enterprises[0]
        // Nothing is released, so every order is placed by its receipt, all made in October (even November's export).
        let mine = month.shipments.filter { $0.ebcCode == ebc }

        let fx = try await CLI.run(["fx-settlement", "--store", store, "--ebc", ebc, "--period", "2026-10"])
        #expect(fx.status == 0, "\(fx.output)")
        let line = try #require(fx.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(fx.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["paidNotExported"] as? [String] == mine.map(\.orderNo).sorted(), "receipts made in October, nothing released")
        #expect((json["exportedNotPaid"] as? [String])?.isEmpty == true)
        let csv = try await CLI.run(["fx-settlement", "--store", store, "--ebc", ebc, "--period", "2026-10", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.output.hasPrefix("orderNo,standing,currency,exported,received,inventories,receipts\r\n"), "\(csv.output)")
        #expect(csv.output.components(separatedBy: ",paid-not-exported,").count - 1 == mine.count)

        let refund = try await CLI.run(["refund-data", "--store", store, "--ebc", ebc, "--period", "2026-10", "--format", "csv"])
        #expect(refund.status == 0 && refund.output.hasPrefix("entryId,exportDate,decState,"), "\(refund.output)")
        #expect(refund.output.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1, "nothing summarised yet")
        let bad = try await CLI.run(["refund-data", "--store", store, "--ebc", ebc, "--period", "2026-00"])
        #expect(bad.status == 2 && bad.output.contains("SUM001"), "\(bad.output)")
    }
}
