import ClearanceTestSupport
import Foundation
import Testing

/// A CEB607 consolidated waybill is read in parts and stored in chunks, so its lines are never all
/// held: `clearance validate` reads a 300,000-line document, and `clearance ingest` stores a message of
/// 299,997 lines, in the memory of 30,000.
///
/// The official schema numbers a CEB607 line with at most 5 digits (`gnum`, totalDigits 5): one document
/// has at most 99,999 valid lines, so validate reports the lines past it (`SCH005`), and the stored
/// 300k-line message is three documents of 99,999 lines (each streamed in parts).
@Suite struct ManifestMemoryTests {
    /// A generated CEB607 of `lines` lines (the generator's invtNos are not stored: all are reported unknown).
    static func manifest(lines: Int, in dir: String) async throws -> String {
        let path = dir + "/CEB607-\(lines).xml"
        let generated = try await CommandRunner.run("python3", [Repository.path("scripts/generate-batch.py"), "--type", "CEB607",
                                                                   "--count", String(lines), "--out", path], timeout: 600)
        try #require(generated.status == 0, "\(generated.output.suffix(500))")
        return path
    }

    /// Peak RSS of the larger run within 1.3× the smaller one's plus 8 MiB: ten times the lines, the same memory.
    /// (Measured, debug build, SQLite: validate 52 → 57 MiB; ingest 68 → 79 MiB.)
    static func expectFlat(_ small: CommandRunner.Ran, _ large: CommandRunner.Ran, _ what: String) throws {
        let smallPeak = try #require(small.peakResidentBytes, "peak memory measured"), largePeak = try #require(large.peakResidentBytes)
        print("[measure] \(what) peak RSS: 30k lines \(smallPeak >> 10) KiB, 300k lines \(largePeak >> 10) KiB")
        #expect(Double(largePeak) < Double(smallPeak) * 1.3 + Double(8 << 20),
                "\(what): peak RSS \(smallPeak >> 20) MiB for 30k lines, \(largePeak >> 20) MiB for 300k")
    }

    @Test func a300kLineConsolidatedWaybillValidatesInFlatMemory() async throws {
        let dir = scratchDirectory("manifest-memory")
        var paths: [String] = []
        for lines in [30_000, 300_000] { paths.append(try await Self.manifest(lines: lines, in: dir)) }
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        var runs: [CommandRunner.Ran] = []
        for path in paths {
            runs.append(try await CommandRunner.run(try TestBinaries.clearance(), ["validate", "--format", "json", "--quiet", path],
                                                    measurePeakMemory: true, timeout: 900))
        }
        // Read whole, checked part by part: the 300k-line document's lines past 99,999 are reported (SCH005), nothing else.
        #expect(runs[0].status == 0, "\(runs[0].output.suffix(500))")
        #expect(runs[0].output.contains("\"documents\":1,\"valid\":1,"), "\(runs[0].output.suffix(500))")
        #expect(runs[0].output.contains("\"errors\":0,"), "\(runs[0].output.suffix(500))")
        #expect(runs[1].status == 1)
        #expect(runs[1].output.contains("\"documents\":1,\"valid\":0,\"invalid\":1,\"errors\":200001,"), "\(runs[1].output.suffix(500))")
        try Self.expectFlat(runs[0], runs[1], "validate CEB607")
    }

    /// Three consolidated waybills of 99,999 lines (the most one document may number) in one message.
    static func threeFullManifests(in dir: String) async throws -> String {
        let one = try await manifest(lines: 99_999, in: dir)
        defer { try? FileManager.default.removeItem(atPath: one) }
        let text = try String(contentsOfFile: one, encoding: .utf8)
        let start = try #require(text.range(of: "<ceb:WayBill>")).lowerBound, end = try #require(text.range(of: "</ceb:WayBill>")).upperBound
        let block = String(text[start..<end])
        let blocks = (0..<3).map { block.replacingOccurrences(of: "<ceb:copNo>MWZF000020261125<", with: "<ceb:copNo>MWZF00002026112\($0)<") }
        let path = dir + "/CEB607-3x99999.xml"
        try (String(text[..<start]) + blocks.joined(separator: "\n") + String(text[end...])).write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test(arguments: TestEngine.allCases)
    func a300kLineConsolidatedWaybillMessageIsStoredInFlatMemory(engine: TestEngine) async throws {
        let dir = scratchDirectory("manifest-memory")
        let paths = [try await Self.manifest(lines: 30_000, in: dir), try await Self.threeFullManifests(in: dir)]
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        var runs: [CommandRunner.Ran] = []
        for (path, (lines, documents)) in zip(paths, [(30_000, 1), (299_997, 3)]) {
            let started = Date()
            let run = try await CommandRunner.run(try TestBinaries.clearance(), [
                "ingest", "--store", try freshURL(engine), "--format", "json", "--quiet", path,
            ], measurePeakMemory: true, timeout: 1800)
            print("[measure] ingest CEB607 \(lines) lines into \(engine): \(Int(Date().timeIntervalSince(started))) s")
            #expect(run.status == 0, "\(run.output.suffix(500))")
            #expect(run.output.contains("\"documents\":\(documents),\"valid\":\(documents),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"declarationsStored\":\(documents),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"linesStored\":\(lines),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"manifestLines\":\(lines),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"manifestLinesUnknownInventory\":\(lines),"), "\(run.output.suffix(800))")
            #expect(run.output.contains("\"manifestUnknownInventoryExamples\":[\"35012026E000000000\","), "\(run.output.suffix(800))")
            runs.append(run)
        }
        try Self.expectFlat(runs[0], runs[1], "ingest CEB607 into \(engine)")
    }
}
