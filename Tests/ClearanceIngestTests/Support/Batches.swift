import ClearanceTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The repository root (tests read `samples/` and run `scripts/generate-batch.py`).
let repositoryRoot = Repository.root

/// A sample message from `samples/valid`.
func sample(_ name: String) -> String { Repository.samplePath(name) }

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
    let status = try runProcess("/usr/bin/env", ["python3", script, "--type", type, "--count", String(count), "--out", out,
                                                 "--seed", String(seed), "--invalid-rate", String(invalidRate), "--expected", expected])
    try #require(status == 0, "generate-batch.py failed with \(status)")
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

/// Runs a program to completion (stdout/stderr to /dev/null) and returns its exit status.
func runProcess(_ program: String, _ arguments: [String]) throws -> Int32 {
    let pid = try spawn(program, arguments)
    return waitExit(pid)
}

/// Starts a program (stdin, stdout and stderr on /dev/null) and returns its pid.
func spawn(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = [program] + arguments
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { cEnv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, program, &actions, nil, &cArgs, &cEnv)
    guard rc == 0 else { throw SpawnError(description: "cannot run \(program): \(String(cString: strerror(rc)))") }
    return pid
}

/// Waits for a child and returns its exit status (128 + signal when killed).
func waitExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

struct SpawnError: Error, CustomStringConvertible { let description: String }

