import ArgumentParser
import ClearanceRouting

/// `--ebc CODE --period YYYY-MM`: the export enterprise and month `summarize`, `refund-data` and
/// `fx-settlement` work on (a bad month is a usage error, `SUM001`).
struct EnterpriseMonthOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The e-commerce enterprise (shipper/receiver) code: ebcCode of its export documents.", valueName: "CODE"))
    var ebc: String

    @Option(help: ArgumentHelp("The month: YYYY-MM (for exports, the month of ieDate).", valueName: "YYYY-MM"))
    var period: String

    func validate() throws {
        guard SummaryPeriod(period) != nil else { throw ValidationError(SummaryError.badPeriod(period).description) }
    }

    /// The month, once validated.
    var month: SummaryPeriod {
        get throws { guard let month = SummaryPeriod(period) else { throw Exit.usage }; return month }
    }
}
