import ArgumentParser
import ClearanceRouting
import Foundation

/// `clearance release-waiting`: the sweep `clearance serve` runs at start and every 10 minutes, on
/// demand (a deployment that only ingests, or after an outage).
struct ReleaseWaitingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release-waiting",
        abstract: "Release waiting inventories whose order, payment and waybill are all stored but whose release never ran.",
        discussion: """
            A document's arrival releases the inventories it completes right after its own commit; a process \
            stopped in between (or a release that failed) leaves them waiting. This looks at every inventory \
            waiting for documents whose three documents are stored, and releases those the rules now match \
            (each once: a release is a guarded move). `clearance serve` does the same at start and every 10 minutes.
            """
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var rules: RulesOption

    func run() async throws {
        let watcher = try rules.watcher()
        let opened = try await store.openFlow()
        let sweep = await BatchForwarder(store: opened, routing: { watcher.current() }).releaseCompleted()
        await opened.close()
        let output = OutputBuffer()
        output.line("\(sweep.candidates) waiting inventor\(sweep.candidates == 1 ? "y has" : "ies have") every document stored; "
                    + "released by \(sweep.released.count) message(s)" + (sweep.released.isEmpty ? "" : ": " + sweep.released.joined(separator: " ")))
        output.flush()
    }
}
