import ArgumentParser
import ClearanceRouting
import Foundation

/// What `refund-data` and `fx-settlement` share: the store, the enterprise, the month, the format,
/// and how a dataset is read and printed.
struct ExportDatasetOptions: ParsableArguments {
    @OptionGroup var store: StoreOption

    @OptionGroup var enterprise: EnterpriseMonthOptions

    @Option(help: "Output format: json (one object, as the API returns it) or csv (header first).")
    var format: TableFormat = .json

    /// Reads the dataset through an ``ExportSummarizer`` on the store and prints it; exit code 2 on a store error.
    func print<D: ExportDataset>(_ read: (ExportSummarizer, String, SummaryPeriod) async throws(SummaryError) -> D) async throws {
        let month = try enterprise.month
        let opened = try await store.openFlow()
        let outcome: Result<D, SummaryError>
        do {
            outcome = .success(try await read(ExportSummarizer(store: opened, flow: nil), enterprise.ebc, month))
        } catch {
            outcome = .failure(error)
        }
        await opened.close()
        switch outcome {
        case .success(let dataset):
            let output = OutputBuffer()
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                output.line(String(decoding: try encoder.encode(dataset), as: UTF8.self))
            case .csv: output.raw(dataset.csv)
            }
            output.flush()
        case .failure(let error):
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
    }
}
