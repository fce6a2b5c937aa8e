import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs an executable as a child process to its end, the way the tests run `clearance`, `openssl`
/// and friends: standard output and error together in a file (a pipe nobody reads while the child
/// runs would fill and stall it), bounded in time (a hung child is killed, not waited for).
public enum CommandRunner {
    /// How a child process ended.
    public struct Ran: Sendable {
        /// The exit status (a signal's number when killed).
        public var status: Int32
        /// Standard output and standard error, interleaved.
        public var output: String
    }

    /// Runs `executable arguments…` in `directory` (default: the test's) with `environment`
    /// (default: the test's), killing it after `timeout` seconds.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        timeout: Double = 120
    ) async throws -> Ran {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-run-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return Ran(status: process.terminationStatus, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
