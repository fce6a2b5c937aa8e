import ArgumentParser
import ClearanceRouting

/// `clearance refund-data`: what an export enterprise files for the export tax refund (出口退（免）税).
struct RefundDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund-data",
        abstract: "Print the tax-refund dataset of an enterprise's exports of a month: the customs declarations its summaries formed.",
        discussion: """
            Reads the export inventories (CEB603) of the e-commerce enterprise --ebc exported (ieDate) in --period that \
            customs summarised into a declaration (CEB792 with entryId), groups them by declaration number and sums \
            their lines by the summary's own rule (same final destination country, 10-digit HS code and currency): \
            declaration number, export date (the latest ieDate of its inventories), lines with HS code, goods name, \
            legal and declared quantity with units, value and currency, and the inventories behind each line. \
            JSON (the same object GET /v1/tax-refund returns) or CSV (one row per line). Exit code 0, 2 on usage or \
            store errors.
            """
    )

    @OptionGroup var options: ExportDatasetOptions

    func run() async throws {
        try await options.print { (summarizer, ebc, period) throws(SummaryError) in try await summarizer.taxRefund(ebcCode: ebc, period: period) }
    }
}
