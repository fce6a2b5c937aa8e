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

    @Option(help: ArgumentHelp(
        "Messages taken at once (1–256). Above 1, concurrent messages share store transactions (group commit) and a "
            + "shipment's documents may be judged in any order (an inventory judged before its order waits, then is "
            + "released); output stays in FILE order.",
        valueName: "n"))
    var jobs = 1

    @Argument(help: "CEB XML files (bare or dxp:DxpMsg).")
    var files: [String] = []

    @OptionGroup var fileList: FileListOption

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
    }

    func run() async throws {
        let files = try fileList.paths(after: self.files)
        let watcher = try rules.watcher()
        let opened = try await store.openAccess()
        let routing: @Sendable () -> RoutingTable = { watcher.current() }
        let intake = MessageIntake(
            store: opened, flow: ClearanceFlow(store: opened, routing: routing), receipts: ReceiptProcessor(store: opened),
            routing: routing, options: MessageIntake.Options(requireSignatureWhenRegistered: !allowUnsigned))
        let output = OutputBuffer()
        var failed = false
        let started = Date()
        // A window of `jobs` messages in flight; answers are printed in FILE order as they complete.
        await withTaskGroup(of: (Int, Report).self) { group in
            var next = 0
            var done: [Int: Report] = [:]
            var printed = 0
            func start() {
                guard next < files.count else { return }
                let index = next, file = files[index]
                next += 1
                group.addTask { (index, await Self.submit(file, intake: intake)) }
            }
            for _ in 0..<jobs { start() }
            for await (index, report) in group {
                done[index] = report
                while let ready = done.removeValue(forKey: printed) {
                    for line in ready.lines { output.line(line) }
                    failed = failed || ready.failed
                    printed += 1
                }
                start()
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

    /// What one file's submission prints, and whether it counts as a failure.
    struct Report: Sendable {
        var lines: [String] = []
        var failed = false
    }

    private static func submit(_ file: String, intake: MessageIntake) async -> Report {
        var report = Report()
        guard let data = FileManager.default.contents(atPath: file) else {
            return Report(lines: ["\(file): cannot read"], failed: true)
        }
        do {
            // The local operator: may send for any enterprise, never receipts (`clearance receive --from`).
            let result = try await intake.accept(Array(data), from: nil)
            switch result.verdict {
            case .unreadable(let why):
                report.lines.append("\(file): \(why)")
                report.failed = true
            case .forbidden(let refusal), .refused(let refusal):
                report.lines.append("\(file): \(result.messageType) \(result.guid) refused (signature \(result.signature))")
                report.lines.append("  \(refusal)")
                report.failed = true
            case .receipt:
                report.lines.append("\(file): \(result.messageType) \(result.guid) receipt stored")
            case .flow(let outcome):
                report.lines.append("\(file): \(outcome.messageType) \(outcome.guid) \(outcome.summary)")
                report.lines += outcome.issues.map { "  \($0)" }
                // Customs requires a signature this message lacks: Clearance adds it before sending.
                report.lines += (result.message?.issues.filter({ $0.code == "SIG100" }) ?? []).map { "  \($0)" }
                if case .refused = outcome.status { report.failed = true }
                if case .invalid = outcome.status { report.failed = true }
            }
        } catch {
            report.lines.append("\(file): \(error)")
            report.failed = true
        }
        return report
    }
}
