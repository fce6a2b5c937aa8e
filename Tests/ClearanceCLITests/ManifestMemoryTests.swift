import ClearanceTestSupport
import Foundation
import Testing

/// A CEB607 consolidated waybill is one document of any number of lines: `clearance validate` and
/// `clearance ingest` read it in parts and store it in chunks, so 300,000 lines take the memory of
/// 30,000 (the whole-document bound, 100,000 lines, no longer applies to it).
@Suite struct ManifestMemoryTests {
    /// A generated CEB607 of `lines` lines (the generator's invtNos are not stored: all are reported unknown).
    static func manifest(lines: Int, in dir: String) throws -> String {
        let path = dir + "/CEB607-\(lines).xml"
        let generated = try CommandRunner.runBlocking("python3", [Repository.path("scripts/generate-batch.py"), "--type", "CEB607",
                                                                   "--count", String(lines), "--out", path], timeout: 600)
        try #require(generated.status == 0, "\(generated.output.suffix(500))")
        return path
    }

    /// Peak RSS of the larger run within 1.3× the smaller one's plus 8 MiB: ten times the lines, the same memory.
    static func expectFlat(_ small: CommandRunner.Ran, _ large: CommandRunner.Ran, _ what: String) throws {
        let smallPeak = try #require(small.peakResidentBytes, "peak memory measured"), largePeak = try #require(large.peakResidentBytes)
        print("[measure] \(what) peak RSS: 30k lines \(smallPeak >> 10) KiB, 300k lines \(largePeak >> 10) KiB")
        #expect(Double(largePeak) < Double(smallPeak) * 1.3 + Double(8 << 20),
                "\(what): peak RSS \(smallPeak >> 20) MiB for 30k lines, \(largePeak >> 20) MiB for 300k")
    }

    @Test func a300kLineConsolidatedWaybillValidatesInFlatMemory() throws {
        let dir = scratchDirectory("manifest-memory")
        let paths = try [30_000, 300_000].map { try Self.manifest(lines: $0, in: dir) }
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        let runs = try paths.map { path in
            try CommandRunner.runBlocking(try TestBinaries.clearance(), ["validate", "--format", "json", path],
                                          measurePeakMemory: true, timeout: 900)
        }
        for run in runs {
            #expect(run.status == 0, "\(run.output.suffix(500))")
            #expect(run.output.contains("\"documents\":1,"), "\(run.output.suffix(500))")
            #expect(run.output.contains("\"errors\":0,"), "\(run.output.suffix(500))")
        }
        try Self.expectFlat(runs[0], runs[1], "validate CEB607")
    }

    @Test(arguments: TestEngine.allCases)
    func a300kLineConsolidatedWaybillIsStoredInFlatMemory(engine: TestEngine) throws {
        let dir = scratchDirectory("manifest-memory")
        let paths = try [30_000, 300_000].map { try Self.manifest(lines: $0, in: dir) }
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        var runs: [CommandRunner.Ran] = []
        for (path, lines) in zip(paths, [30_000, 300_000]) {
            let started = Date()
            let run = try CommandRunner.runBlocking(try TestBinaries.clearance(), [
                "ingest", "--store", try freshURL(engine), "--format", "json", "--quiet", path,
            ], measurePeakMemory: true, timeout: 1800)
            print("[measure] ingest CEB607 \(lines) lines into \(engine): \(Int(Date().timeIntervalSince(started))) s")
            #expect(run.status == 0, "\(run.output.suffix(500))")
            #expect(run.output.contains("\"linesStored\":\(lines),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"manifestLines\":\(lines),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"manifestLinesUnknownInventory\":\(lines),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"manifestUnknownInventoryExamples\":[\"35012026E000000000\","), "\(run.output.suffix(800))")
            runs.append(run)
        }
        try Self.expectFlat(runs[0], runs[1], "ingest CEB607 into \(engine)")
    }
}
