import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// What export data turns into money, per enterprise and month (`?ebc=&period=YYYY-MM`), JSON or
/// CSV (the `.csv` path, `?format=csv` or `Accept: text/csv`): `GET /v1/tax-refund` is the
/// tax-refund (出口退（免）税) dataset, `GET /v1/fx-settlement` the exports set against the
/// payments received (收汇). Only the enterprise itself (`ebc` is the caller's code) or ops may read
/// them; anyone else gets 404, as for declarations they cannot see.
struct ExportMoneyController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        dataset("tax-refund", on: router) { (s, ebc, period) throws(SummaryError) in try await s.taxRefund(ebcCode: ebc, period: period) }
        dataset("fx-settlement", on: router) { (s, ebc, period) throws(SummaryError) in try await s.fxSettlement(ebcCode: ebc, period: period) }
    }

    /// `/v1/<name>` (JSON, or CSV when asked) and `/v1/<name>.csv`.
    private func dataset<D: ExportDataset & ResponseEncodable>(
        _ name: String, on router: Router<EnterpriseContext>,
        _ read: @escaping @Sendable (ExportSummarizer, String, SummaryPeriod) async throws(SummaryError) -> D
    ) {
        let answer: @Sendable (Request, EnterpriseContext, Bool) async throws -> Response = { request, context, csv in
            let (ebc, period) = try own(request, context)
            let dataset: D
            do throws(SummaryError) {
                dataset = try await read(ExportSummarizer(store: environment.store, flow: nil), ebc, period)
            } catch {
                throw HTTPError(.internalServerError, message: error.description)
            }
            guard csv else { return try dataset.response(from: request, context: context) }
            return Self.csvResponse(dataset.csv, name: "\(name)-\(ebc)-\(period).csv")
        }
        router.get("/v1/\(name)") { request, context in try await answer(request, context, Self.wantsCSV(request)) }
        router.get("/v1/\(name).csv") { request, context in try await answer(request, context, true) }
    }

    /// The `ebc` and `period` asked for, when the caller is that enterprise or ops: 400 for a
    /// missing code or a period that is not YYYY-MM, 404 for someone else's data.
    private func own(_ request: Request, _ context: EnterpriseContext) throws -> (String, SummaryPeriod) {
        let caller = try context.requireEnterprise()
        let query = request.uri.queryParameters
        guard let ebc = query.get("ebc"), !ebc.isEmpty, ebc.count <= 18 else {
            throw HTTPError(.badRequest, message: "ebc (the e-commerce enterprise's code, 1 to 18 characters) is required")
        }
        guard let text = query.get("period"), let period = SummaryPeriod(text) else {
            throw HTTPError(.badRequest, message: SummaryError.badPeriod(query.get("period") ?? "").description)
        }
        guard caller.role == .ops || caller.code == ebc else {
            throw HTTPError(.notFound, message: "no export data of \(ebc) that you may see")
        }
        return (ebc, period)
    }

    static func wantsCSV(_ request: Request) -> Bool {
        request.uri.queryParameters.get("format") == "csv" || (request.headers[.accept]?.contains("text/csv") ?? false)
    }

    static func csvResponse(_ text: String, name: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension TaxRefundReport: ResponseEncodable {}
extension FXSettlementReport: ResponseEncodable {}
