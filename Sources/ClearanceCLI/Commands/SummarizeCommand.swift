import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance summarize`: the monthly summary declaration (汇总申报) of an export e-commerce enterprise.
struct SummarizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Summarise an enterprise's cleared export inventories of a month into customs export declarations (CEB701).",
        discussion: """
            Selects the export inventories (CEB603) of the e-commerce enterprise --ebc exported (ieDate) in --period \
            that customs cleared (899, 结关), declared for summary (statisticsFlag B) and in no summary yet, and prints \
            the declarations customs forms from them: one per same shipper/receiver, transport mode, producer/seller, \
            destination country and exit port; within each, one line per same final destination country, 10-digit \
            HS code and currency, with legal quantity, declared quantity and value summed exactly. Every other \
            inventory of the enterprise is listed with why it is left out (simplified, not-cleared, cancelled, \
            already-summarised, another-period). Without --dry-run it then writes one CEB701 summary application \
            per declaration (split over messages with msgCount/msgSeqNo beyond --max-per-message inventories), \
            stores and routes each like any message, and marks its inventories summarising: a second run never \
            summarises an inventory twice. Due by the 15th of the following month (next working day when on a \
            weekend; official holidays only when given with --holiday). Exit code 0, 1 when an application \
            could not be routed, 2 on usage or store errors.
            """
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var rules: RulesOption

    @OptionGroup var enterprise: EnterpriseMonthOptions

    @Flag(help: "Print the declarations; write, store and send nothing.")
    var dryRun = false

    @Option(help: "Output format: text or json (one object: declarations with inventories and lines, exclusions, applications).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Also write each CEB701 message to this directory (<copNo>_<msgSeqNo>.xml).", valueName: "DIR"))
    var outDir: String?

    @Option(help: "Inventories per CEB701 message; a longer application is split (msgCount/msgSeqNo).")
    var maxPerMessage = 1000

    @Option(help: ArgumentHelp("An official holiday (yyyyMMdd) the deadline moves past; repeatable.", valueName: "DATE"))
    var holiday: [String] = []

    func validate() throws {
        guard maxPerMessage >= 1 else { throw ValidationError("--max-per-message must be at least 1") }
        for day in holiday where day.count != 8 || !day.allSatisfy(\.isNumber) {
            throw ValidationError("--holiday \(day): expected yyyyMMdd")
        }
    }

    func run() async throws {
        let month = try enterprise.month
        let watcher = dryRun ? nil : try rules.watcher()
        let opened = try await store.openFlow()
        let flow = watcher.map { watcher in ClearanceFlow(store: opened, routing: { watcher.current() }) }
        let summarizer = ExportSummarizer(store: opened, flow: flow, maxInventoriesPerMessage: maxPerMessage)
        let output = OutputBuffer()
        let outcome: Result<SummaryRun, SummaryError>
        do {
            outcome = .success(try await summarizer.run(
                ebcCode: enterprise.ebc, period: month, dryRun: dryRun, outDirectory: outDir.map { URL(fileURLWithPath: $0) }))
        } catch {
            outcome = .failure(error)
        }
        await opened.close()
        switch outcome {
        case .success(let run):
            let deadline = month.deadlineText(holidays: Set(holiday))
            switch format {
            case .text: SummaryText.lines(run, deadline: deadline, dryRun: dryRun).forEach(output.line)
            case .json: output.line(SummaryText.json(run, deadline: deadline))
            }
            output.flush()
        case .failure(let error):
            output.flush()
            OutputBuffer.standardError("clearance: \(error)\n")
            if case .notRouted = error { throw Exit.invalid }
            throw Exit.usage
        }
    }
}
