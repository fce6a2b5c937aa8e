import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance hold`: messages held for credit review, and an operator's release or refusal.
/// Exit codes: 0 done, 1 the message is not held (`CRD003`) or unknown (`CRD004`), 2 usage or store errors.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "List messages held for credit review; release (route) or refuse them (audited).",
        subcommands: [List.self, Release.self, Refuse.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages held for review, oldest first, with their CRD001 reasons.")
        @OptionGroup var store: StoreOption
        @Option(help: "At most this many messages.")
        var limit = 100

        func run() async throws {
            let output = OutputBuffer()
            try await store.reading { opened in
                let held = try await opened.heldMessages(limit: limit)
                for h in held {
                    output.line("\(h.guid)\t\(h.messageType)\tsender \(h.senderCode)\t\(h.declarations) declaration(s)\t" + h.reasons.joined(separator: "; "))
                }
                if held.isEmpty { output.line("(nothing held)") }
            }
            output.flush()
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release held messages after review: each is routed as the flow would have.")
        @OptionGroup var store: StoreOption
        @OptionGroup var rules: RulesOption
        @Option(help: "Who decides (recorded in the audit log; default: $USER).")
        var actor: String?
        @Argument(help: "Envelope guids of held messages.")
        var guids: [String]

        func run() async throws {
            let watcher = try rules.watcher()
            let opened = try await store.openFlow()
            let review = HoldReview(store: opened, routing: { watcher.current() })
            let code = await HoldCommand.decide(guids) { guid throws(HoldReviewError) in
                try await review.release(messageGuid: guid, by: actor ?? HoldCommand.defaultActor)
            }
            await opened.close()
            if let code { throw code }
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse held messages after review (CRD002): nothing is sent.")
        @OptionGroup var store: StoreOption
        @Option(help: "Who decides (recorded in the audit log; default: $USER).")
        var actor: String?
        @Option(help: "Why (recorded with the refusal).")
        var reason: String?
        @Argument(help: "Envelope guids of held messages.")
        var guids: [String]

        func run() async throws {
            let opened = try await store.openFlow()
            let review = HoldReview(store: opened, routing: { RoutingTable(senderId: "", destinations: [:], rules: []) })
            let code = await HoldCommand.decide(guids) { guid throws(HoldReviewError) in
                try await review.refuse(messageGuid: guid, by: actor ?? HoldCommand.defaultActor, reason: reason)
            }
            await opened.close()
            if let code { throw code }
        }
    }

    static var defaultActor: String { ProcessInfo.processInfo.environment["USER"] ?? "cli" }

    /// Runs `decide` for each guid, printing one line each; returns the exit code for the worst
    /// failure (1 for a message not held or unknown, 2 for a store error), nil when all went.
    static func decide(_ guids: [String], _ decide: (String) async throws(HoldReviewError) -> FlowOutcome) async -> ExitCode? {
        var worst: ExitCode?
        for guid in guids {
            do {
                let outcome = try await decide(guid)
                print("\(guid): \(outcome.summary)")
            } catch {
                OutputBuffer.standardError("\(guid): error \(error)\n")
                switch error {
                case .notHeld, .noSuchMessage: if worst == nil { worst = Exit.invalid }
                case .flow: worst = Exit.usage
                }
            }
        }
        return worst
    }
}
