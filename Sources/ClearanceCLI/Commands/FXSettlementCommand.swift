import ArgumentParser
import ClearanceRouting

/// `clearance fx-settlement`: an export enterprise's month of exports set against what it was paid (收汇).
struct FXSettlementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fx-settlement",
        abstract: "Set an enterprise's exports of a month against the payment receipts (CEB403) received for them.",
        discussion: """
            An order is in --period when one of its export inventories customs released (800 and after) was exported \
            (ieDate) in the month, or, with no released export, when one of its payment receipts was made (appTime) in \
            it. Per order: exported value (its released inventories' line values, per currency), received value (its \
            payment receipts' charge, per currency; refused, deleted, returned or unrouted receipts are listed, not \
            counted) and its standing: settled, underpaid, overpaid, exported-not-paid or paid-not-exported. Per \
            currency: exported, received and outstanding. JSON (the object GET /v1/fx-settlement returns) or CSV \
            (one row per order and currency). Exit code 0, 2 on usage or store errors.
            """
    )

    @OptionGroup var options: ExportDatasetOptions

    func run() async throws {
        try await options.print { (summarizer, ebc, period) throws(SummaryError) in try await summarizer.fxSettlement(ebcCode: ebc, period: period) }
    }
}
