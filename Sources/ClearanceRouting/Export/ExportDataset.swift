/// A dataset of an enterprise's month the API and the CLI both give as JSON (the value encoded) or
/// CSV (``csv``): the tax-refund dataset and foreign-exchange settlement.
public protocol ExportDataset: Sendable, Encodable {
    /// Header first, CRLF line ends (``CSVText``).
    var csv: String { get }
}

extension TaxRefundReport: ExportDataset {}
extension FXSettlementReport: ExportDataset {}
