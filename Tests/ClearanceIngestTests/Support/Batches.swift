import ClearanceTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The repository root (tests read `samples/` and run `scripts/generate-batch.py`).
let repositoryRoot = Repository.root


/// A generated batch and what the generator broke in it.
struct Batch {
    let path: String
    /// Documents in the batch.
    let count: Int
    /// (0-based index, key, code) of each document broken on purpose.
    let broken: [(index: Int, key: String, code: String)]
    /// `<ceb:InventoryList>` (or other line) elements in the file.
    let lineCount: Int

    var bytes: [UInt8] { FileManager.default.contents(atPath: path).map { Array($0) } ?? [] }
}

/// Runs `scripts/generate-batch.py` into a fresh temp directory (seeded: same output every run).
func generateBatch(type: String, count: Int, invalidRate: Double = 0, seed: Int = 20261125) throws -> Batch {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-ingest-batches/\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let out = dir.appendingPathComponent("\(type)-\(count).xml").path
    let expected = dir.appendingPathComponent("expected.tsv").path
    let script = repositoryRoot.appendingPathComponent("scripts/generate-batch.py").path
    let generated = try CommandRunner.runBlocking("python3", [script, "--type", type, "--count", String(count), "--out", out,
                                                               "--seed", String(seed), "--invalid-rate", String(invalidRate), "--expected", expected],
                                                  timeout: 600)
    try #require(generated.status == 0, "generate-batch.py failed with \(generated.status): \(generated.output.suffix(2000))")
    let broken = ((try? String(contentsOfFile: expected, encoding: .utf8)) ?? "")
        .split(separator: "\n").compactMap { line -> (Int, String, String)? in
            let f = line.split(separator: "\t").map(String.init)
            guard f.count >= 3, let i = Int(f[0]) else { return nil }
            return (i, f[1], f[2])
        }
    let text = try String(contentsOfFile: out, encoding: .utf8)
    let lineTag = ["CEB621": "<ceb:InventoryList>", "CEB311": "<ceb:OrderList>", "CEB607": "<ceb:WayBillList>"][type] ?? "\u{0}"
    return Batch(path: out, count: count, broken: broken, lineCount: text.components(separatedBy: lineTag).count - 1)
}
