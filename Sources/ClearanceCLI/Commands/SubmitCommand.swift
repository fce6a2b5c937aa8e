import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance submit`: takes messages into the clearance flow.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Take CEB messages into the clearance flow: life cycle, three-document match, quotas, tax, routing, outbox.",
        discussion: """
            Each FILE is validated, checked against the messages already stored (three-document match for \
            retail-import inventories, ¥5,000 / ¥26,000 quotas, declared tax, appType life cycle), then stored \
            together with its outbox rows in one transaction. An inventory whose order, payment or waybill is \
            missing waits ("awaiting documents") and is released when the last one arrives. Prints one line per \
            message (refusals field by field). Exit code 0 when every message was routed, awaiting or a \
            duplicate, 1 when one was refused or invalid, 2 on usage or store errors.

            Signatures are checked as by the HTTP service: a message whose sender (BaseTransfer/copCode) has \
            a registered certificate ('clearance enterprise cert register') must be signed by it, and is \
            refused (SIG001/SIG003, not stored) otherwise; the verdict is stored with the message. Receipts are \
            not taken here: they come from an authority ('clearance receive --from CODE').
            """
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var rules: RulesOption

    @Flag(help: "Accept unsigned messages from senders with a registered certificate (unless that enterprise requires signatures).")
    var allowUnsigned = false

    @Flag(help: "Print a throughput figure at the end.")
    var timing = false

    @Argument(help: "CEB XML files (bare or dxp:DxpMsg).")
    var files: [String]

    func run() async throws {
        let watcher = try rules.watcher()
        let opened = try await store.openAccess()
        let routing: @Sendable () -> RoutingTable = { watcher.current() }
        let intake = MessageIntake(
            store: opened, flow: ClearanceFlow(store: opened, routing: routing), receipts: ReceiptProcessor(store: opened),
            routing: routing, options: MessageIntake.Options(requireSignatureWhenRegistered: !allowUnsigned))
        let output = OutputBuffer()
        var failed = false
        let started = Date()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                output.line("\(file): cannot read")
                failed = true
                continue
            }
            do {
                // The local operator: may send for any enterprise, never receipts (`clearance receive --from`).
                let result = try await intake.accept(Array(data), from: nil)
                switch result.verdict {
                case .unreadable(let why):
                    output.line("\(file): \(why)")
                    failed = true
                case .forbidden(let refusal), .refused(let refusal):
                    output.line("\(file): \(result.messageType) \(result.guid) refused (signature \(result.signature))")
                    output.line("  \(refusal)")
                    failed = true
                case .receipt:
                    output.line("\(file): \(result.messageType) \(result.guid) receipt stored")
                case .flow(let outcome):
                    output.line("\(file): \(outcome.messageType) \(outcome.guid) \(outcome.summary)")
                    for issue in outcome.issues { output.line("  \(issue)") }
                    // Customs requires a signature this message lacks: Clearance adds it before sending.
                    for warning in result.message?.issues.filter({ $0.code == "SIG100" }) ?? [] { output.line("  \(warning)") }
                    if case .refused = outcome.status { failed = true }
                    if case .invalid = outcome.status { failed = true }
                }
            } catch {
                output.line("\(file): \(error)")
                failed = true
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        if timing, elapsed > 0 {
            output.line(String(format: "submitted %d messages in %.3f s: %.1f messages/s", files.count, elapsed, Double(files.count) / elapsed))
        }
        output.flush()
        await opened.close()
        if failed { throw Exit.invalid }
    }
}
