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
            refused (SIG001/SIG003, not stored) otherwise; the verdict is stored with the message.
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
        let opened = try await store.openFlow()
        let flow = ClearanceFlow(store: opened, routing: { watcher.current() })
        let gate = InboundSignatureGate(requireWhenRegistered: !allowUnsigned)
        let enterprises = opened as? any AccessStore
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
                let message = try DecodedMessage.decode(Array(data))
                let claimed = message.senderCode ?? ""
                let signer = claimed.isEmpty ? nil : try await enterprises?.enterprise(code: claimed)
                let decision = gate.check(bytes: message.bytes, hasSignature: message.hasSignature, signer: signer, claimedCode: claimed)
                if let refusal = decision.refusal {
                    output.line("\(file): \(message.messageType) \(message.guid) refused (signature \(decision.verdict))")
                    output.line("  \(refusal)")
                    failed = true
                    continue
                }
                let outcome = try await flow.accept(message, signatureVerdict: decision.verdict)
                output.line("\(file): \(outcome.messageType) \(outcome.guid) \(outcome.summary)")
                for issue in outcome.issues { output.line("  \(issue)") }
                if case .refused = outcome.status { failed = true }
                if case .invalid = outcome.status { failed = true }
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
