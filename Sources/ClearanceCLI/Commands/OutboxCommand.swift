import ArgumentParser
import ClearanceStore
import Foundation

/// `clearance outbox`: inspect the outbox and replay dead letters.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Inspect outbox deliveries and replay dead letters.",
        subcommands: [List.self, Dead.self, Replay.self]
    )

    /// Prints up to `limit` rows, newest first, of one status or of all.
    static func list(_ store: StoreOption, status: OutboxStatus?, limit: Int) async throws {
        let entries = try await store.reading { try await $0.outboxEntries(status: status, limit: limit) }
        let output = OutputBuffer()
        for e in entries {
            output.line("\(e.id)\t\(e.status.rawValue)\t\(e.destination)\t\(e.messageGuid)\tattempts=\(e.attempts)\tcreated=\(e.createdAt.formatted(.iso8601))"
                + (e.lastError.map { "\terror=\($0.prefix(200))" } ?? ""))
        }
        if entries.isEmpty { output.line("(none)") }
        output.flush()
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox rows, newest first.")
        @OptionGroup var store: StoreOption
        @Option(help: "Only this status: pending, in-flight, delivered, dead.")
        var status: String?
        @Option(help: "At most this many rows.")
        var limit = 100

        func run() async throws {
            var filter: OutboxStatus?
            if let status {
                guard let parsed = OutboxStatus(rawValue: status) else { throw ValidationError("unknown status '\(status)'") }
                filter = parsed
            }
            try await OutboxCommand.list(store, status: filter, limit: limit)
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters (deliveries given up), with their last error.")
        @OptionGroup var store: StoreOption
        @Option(help: "At most this many rows.")
        var limit = 100

        func run() async throws {
            try await OutboxCommand.list(store, status: .dead, limit: limit)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put dead (or delivered) rows back in the queue with their attempts reset.")
        @OptionGroup var store: StoreOption
        @Argument(help: "Outbox row ids.")
        var ids: [Int64]

        func run() async throws {
            let opened = try await store.openFlow()
            let output = OutputBuffer()
            var failed = false
            for id in ids {
                do {
                    let entry = try await opened.replayOutbox(id: id, now: Date())
                    output.line("\(id): replayed (\(entry.destination), \(entry.messageGuid))")
                } catch {
                    output.line("\(id): \(error)")
                    failed = true
                }
            }
            output.flush()
            await opened.close()
            if failed { throw Exit.invalid }
        }
    }
}
