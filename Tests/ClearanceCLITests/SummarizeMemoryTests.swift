import ClearanceTestSupport
import Foundation
import Testing

/// `clearance summarize` reads a month as a stream: ten times the cleared inventories cost little
/// more than the list of them it prints. (It once held every decoded message and copied each
/// declaration's inventory list per inventory: 914 MB for 100,000, about 9 KB per inventory.)
@Suite struct SummarizeMemoryTests {
    /// A SQLite store holding `count` cleared export inventories of one enterprise and month (CEB603,
    /// statisticsFlag B, five destination countries × two transport modes, three HS codes), 100 per
    /// message, made as Benchmarks/bench_summarize.py makes its store; then `summarize --dry-run`.
    static func summarize(count: Int) async throws -> CommandRunner.Ran {
        let dir = scratchDirectory("summarize-memory")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = try String(contentsOfFile: Repository.path("samples/valid/CEB603-export-inventory.xml"), encoding: .utf8)
        let start = try #require(text.range(of: "<ceb:Inventory>")), end = try #require(text.range(of: "</ceb:Inventory>"))
        let head = String(text[..<start.lowerBound]), document = String(text[start.lowerBound..<end.upperBound]), tail = String(text[end.upperBound...])
        let guid = try Regex("<ceb:guid>[^<]*</ceb:guid>"), envelope = try Regex("guid=\"[^\"]*\"")
        var files: [String] = []
        for m in stride(from: 0, to: count, by: 100) {
            var body: [String] = []
            for i in m..<min(m + 100, count) {
                var d = document.replacing(guid, with: "<ceb:guid>\(hex(i, 8))-0000-4000-8000-\(hex(i, 12))</ceb:guid>", maxReplacements: 1)
                d = d.replacingOccurrences(of: "DH202611250088", with: "DH" + digits(i, 12))
                    .replacingOccurrences(of: "MWX2026112500088", with: "MWX" + digits(i, 13))
                    .replacingOccurrences(of: "DHQD202611260088", with: "DHQD" + digits(i, 12))
                    .replacingOccurrences(of: "<ceb:statisticsFlag>A</ceb:statisticsFlag>", with: "<ceb:statisticsFlag>B</ceb:statisticsFlag>")
                    .replacingOccurrences(of: "<ceb:trafMode>2</ceb:trafMode>", with: "<ceb:trafMode>\(2 + i % 2)</ceb:trafMode>")
                    .replacingOccurrences(of: "<ceb:gcode>0902301000</ceb:gcode>", with: "<ceb:gcode>\(["0902301000", "6911101100", "0902109000"][i % 3])</ceb:gcode>")
                d = d.replacing("<ceb:country>143</ceb:country>", with: "<ceb:country>\(["143", "344", "116", "502", "303"][i % 5])</ceb:country>", maxReplacements: 1)
                body.append(d)
            }
            let message = head.replacing(envelope, with: "guid=\"\(hex(m, 8))-1111-4000-8000-\(hex(m, 12))\"", maxReplacements: 1)
                + body.joined(separator: "\n") + tail
            let path = "\(dir)/CEB603-\(digits(m / 100, 5)).xml"
            try message.write(toFile: path, atomically: false, encoding: .utf8)
            files.append(path)
        }
        let store = "\(dir)/store.db"
        var environment = ProcessInfo.processInfo.environment
        environment["CLEARANCE_BUYER_ID_SALT"] = "summarize-memory-salt"
        let ingested = try await CommandRunner.run(try TestBinaries.clearance(), ["ingest", "--store", "sqlite://" + store, "--quiet"] + files,
                                                     environment: environment, timeout: 900)
        try #require(ingested.status == 0, "\(ingested.output.suffix(500))")
        // Cleared directly: the receipts that clear them are not what is measured (as in the benchmark).
        let cleared = try await CommandRunner.run("python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("UPDATE declarations SET status = '899' WHERE kind = 'export-inventory'").rowcount)
            db.commit()
            """, store])
        try #require(cleared.status == 0 && cleared.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(count), "\(cleared.output)")
        return try await CommandRunner.run(try TestBinaries.clearance(), [
            "summarize", "--store", "sqlite://" + store, "--ebc", "91350526MA8U2F0N32", "--period", "2026-11", "--dry-run", "--format", "json",
        ], errors: .discard, measurePeakMemory: true, timeout: 900)
    }

    static func hex(_ n: Int, _ width: Int) -> String { String(format: "%0\(width)X", n) }
    static func digits(_ n: Int, _ width: Int) -> String { String(format: "%0\(width)d", n) }

    @Test func tenTimesTheInventoriesCostLittleMoreThanTheirList() async throws {
        let small = try await Self.summarize(count: 4_000)
        let large = try await Self.summarize(count: 40_000)
        for (count, ran) in [(4_000, small), (40_000, large)] {
            #expect(ran.status == 0, "\(ran.output.suffix(500))")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(ran.output.utf8)) as? [String: Any], "\(ran.output.prefix(500))")
            let declarations = try #require(json["declarations"] as? [[String: Any]])
            #expect(declarations.count == 10, "five countries × two transport modes")
            #expect(declarations.reduce(0) { $0 + (($1["inventories"] as? [Any])?.count ?? 0) } == count)
            #expect((json["exclusions"] as? [Any])?.isEmpty == true)
        }
        let smallPeak = try #require(small.peakResidentBytes, "peak memory measured"), largePeak = try #require(large.peakResidentBytes)
        print("[measure] summarize --dry-run peak RSS: 4k inventories \(smallPeak >> 10) KiB, 40k \(largePeak >> 10) KiB")
        // What grows is the list of inventories the plan keeps and prints (measured, debug: about
        // 0.5 KB per inventory); 36,000 more within 48 MiB is under 1.4 KB each, where holding the
        // goods and messages cost about 9 KB each.
        #expect(largePeak - smallPeak < 48 << 20, "peak RSS \(smallPeak >> 20) MiB for 4k, \(largePeak >> 20) MiB for 40k")
    }
}
