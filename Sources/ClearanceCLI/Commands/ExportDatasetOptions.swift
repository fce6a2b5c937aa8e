import ArgumentParser
import ClearanceRouting
import Foundation

/// What `refund-data` and `fx-settlement` share: the store, the enterprise, the month, the format,
/// and how a dataset is read and printed.
struct ExportDatasetOptions: ParsableArguments {
    @OptionGroup var store: StoreOption

    @Option(help: ArgumentHelp("The e-commerce enterprise (shipper/receiver) code: ebcCode of its export documents.", valueName: "CODE"))
    var ebc: String

    @Option(help: ArgumentHelp("The month: YYYY-MM.", valueName: "YYYY-MM"))
    var period: String

    @Option(help: "Output format: json (one object, as the API returns it) or csv (header first).")
    var format: TableFormat = .json

    func validate() throws {
        guard SummaryPeriod(period) != nil else { throw ValidationError(SummaryError.badPeriod(period).description) }
    }

    /// Reads the dataset through an ``ExportSummarizer`` on the store and prints it; exit code 2 on a store error.
    func print<D: ExportDataset>(_ read: (ExportSummarizer, String, SummaryPeriod) async throws(SummaryError) -> D) async throws {
        guard let month = SummaryPeriod(period) else { throw Exit.usage }
        let opened = try await store.openFlow()
        let outcome: Result<D, SummaryError>
        do {
            outcome = .success(try await read(ExportSummarizer(store: opened, flow: nil), ebc, month))
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
