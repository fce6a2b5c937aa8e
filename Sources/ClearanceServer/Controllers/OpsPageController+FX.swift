import ClearanceRouting
import Foundation
import Hummingbird

extension OpsPageController {
    /// Foreign-exchange settlement (收汇) of one enterprise's month for ops: the form asks for the
    /// enterprise and the month (last month by default); the page shows per currency what was
    /// exported, received and is outstanding, then every order with its standing, exports and
    /// receipts — the same figures as `GET /v1/fx-settlement` (``FXSettlementPlanner``).
    func fxSettlement(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        _ = try requireOps(context)
        let query = request.uri.queryParameters
        let language = context.language
        var values = base(language.text("fxSettlement"), context)
        let periodText = query.get("period") ?? SummaryPeriod.previous(to: Date()).description
        values["period"] = periodText
        values["standings"] = FXOrderStanding.allCases.map(\.rawValue)
        if let ebc = query.get("ebc"), !ebc.isEmpty {
            values["ebc"] = ebc
            if let period = SummaryPeriod(periodText), ebc.count <= 18 {
                let report: FXSettlementReport
                do {
                    report = try await ExportSummarizer(store: store, flow: nil).fxSettlement(ebcCode: ebc, period: period)
                } catch {
                    throw HTTPError(.internalServerError, message: error.description)
                }
                values["shown"] = true
                values["currencies"] = report.currencies.map { c -> [String: Any] in
                    ["currency": c.currency, "exported": c.exported, "received": c.received, "outstanding": c.outstanding]
                }
                values["orders"] = report.orders.map { o -> [String: Any] in
                    ["orderNo": o.orderNo, "standing": o.standing.rawValue,
                     "exported": o.exported.map { "\($0.value) \($0.currency)" }.joined(separator: ", "),
                     "received": o.received.map { "\($0.value) \($0.currency)" }.joined(separator: ", "),
                     "inventories": o.inventories.map { "\($0.invtNo ?? $0.copNo) (\($0.exportDate), \(Self.statusText($0.status)))" }.joined(separator: "; "),
                     "receipts": o.receipts.map { "\($0.payNo ?? "?") \($0.charge) \($0.currency)\($0.counted ? "" : " ✗ \($0.status)")" }.joined(separator: "; ")]
                }
                values["unreadable"] = report.unreadable
            } else {
                values["problem"] = language.text("badPeriod")
            }
        }
        return try views.page("fx-settlement", values)
    }
}
