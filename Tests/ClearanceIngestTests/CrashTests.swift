import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` the real `clearance ingest` mid-run, then run it again: whole chunks only after the
/// kill, exact counts and no duplicates after the re-run.
@Suite("Crash safety", .serialized)
struct CrashTests {
    static let chunkSize = 500
    static let count = 12_000

    @Test("kill -9 during ingest leaves whole chunks; the re-run completes with no duplicates and no losses",
          arguments: TestEngine.allCases)
    func killAndResume(engine: TestEngine) async throws {
        // On a loaded machine the poll below can miss the whole run of a fast ingest: then the
        // scenario runs again with a batch three times the size (the kill must land mid-run).
        if try await !killAndResume(engine: engine, count: Self.count, lastTry: false) {
            _ = try await killAndResume(engine: engine, count: 3 * Self.count, lastTry: true)
        }
    }

    /// One run of the scenario; false when the ingest finished before a chunk was seen (not `lastTry`).
    func killAndResume(engine: TestEngine, count: Int, lastTry: Bool) async throws -> Bool {
        let binary = try TestBinaries.clearance()
        let batch = try generateBatch(type: "CEB621", count: count)
        let url = try freshURL(engine)
        let store = try await openTestStore(url)
        return try await withCleanup({ await store.close() }) {
            let arguments = ["ingest", "--store", url, "--chunk-size", String(Self.chunkSize), "--quiet", batch.path]
            let environment = ProcessInfo.processInfo.environment.merging(["CLEARANCE_BUYER_ID_SALT": String(decoding: testSalt, as: UTF8.self)]) { $1 }

            // Start, wait for at least one committed chunk (as `stats` shows it), kill -9.
            let child = try CommandRunner.start(binary, arguments, environment: environment)
            var committed = 0
            var exited: CommandRunner.Ran?
            for _ in 0..<3_000 {
                committed = try await store.stats().declarationTotal
                if committed >= Self.chunkSize { break }
                if !child.isRunning { exited = await child.wait(); break }
                try await Task.sleep(for: .milliseconds(20))
            }
            if exited != nil, !lastTry { return false }
            try #require(exited == nil, "clearance ingest exited (\(exited?.status ?? 0)) before a chunk was seen: \(exited?.output ?? "")")
            try #require(committed >= Self.chunkSize, "no chunk committed")
            child.kill()
            let status = await child.wait(timeout: 30).status

            let afterKill = try await store.stats()
            let declarations = afterKill.declarationTotal
            if status == 128 + SIGKILL {
                // Killed mid-run (the usual case): whole chunks only, message incomplete.
                #expect(declarations % Self.chunkSize == 0 || declarations == count, "\(declarations) is not whole chunks")
            } else {
                #expect(status == 0 && declarations == count)
            }
            // Every stored declaration has all its lines (a chunk commits its declarations with their lines).
            #expect(try await store.count("declarations d", where: "NOT EXISTS (SELECT 1 FROM declaration_lines l WHERE l.declaration_id = d.id)") == 0)
            #expect(try await store.duplicateDeclarations().isEmpty)
            if declarations < count { #expect(afterKill.incompleteMessages == 1) }

            // Run again to completion.
            let rerun = try await CommandRunner.run(binary, arguments, environment: environment, timeout: 600)
            #expect(rerun.status == 0, "\(rerun.output.suffix(2000))")
            let final = try await store.stats()
            #expect(final.declarationTotal == count)
            #expect(final.declarationLines == batch.lineCount)
            #expect(final.messageTotal == 1)
            #expect(final.incompleteMessages == 0)
            #expect(try await store.duplicateDeclarations().isEmpty)
            #expect(try await store.duplicateLines().isEmpty)
            #expect(try await store.count("events", where: "kind = 'received'") == 1)
            let raw = try await store.rawQuery("SELECT sha256, size FROM messages")
            #expect(raw == [[SHA256Digest.hex(of: batch.bytes), String(batch.bytes.count)]])

            // A third run changes nothing.
            #expect(try await CommandRunner.run(binary, arguments, environment: environment, timeout: 600).status == 0)
            #expect(try await store.stats().declarationTotal == count)
            #expect(try await store.count("message_parts") == final.messageParts)
            return true
        }
    }
}
