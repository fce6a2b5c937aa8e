import CEBModel
import ClearanceStore
import Foundation

/// Sets an enterprise's exports against the payments it received (收汇), order by order.
///
/// The month picks orders: an order is in it when one of its export inventories customs released
/// was exported (`ieDate`) in the month, or, for an order with no released export, when one of its
/// payment receipts was made (`appTime`, China time) in the month. Exported value is the sum of the
/// released inventories' line values (`totalPrice`, per line currency); received value is the sum of
/// the order's counted receipts (`charge`, per currency) whenever they came, so a month's exports
/// show how much of them is paid so far.
public enum FXSettlementPlanner {
    /// Statuses of an export inventory whose goods customs let go (放行 and after).
    public static let exportedStatuses: Set<DeclarationStatus> = [.released, .arrived, .departed, .cleared, .summarising, .summarized]
    /// Statuses of a payment receipt that is not set against the exports.
    public static let uncountedStatuses: Set<DeclarationStatus> = [.refused, .deleted, .returned, .unrouted]

    public static func report(_ candidates: [SummaryCandidate], payments: [ExportPaymentStanding], ebcCode: String,
                              period: SummaryPeriod) throws(SummaryError) -> FXSettlementReport {
        var exports: [String: [(ExportInventory, ExportInventoryStanding)]] = [:]
        var unreadable: [String] = []
        for candidate in candidates where exportedStatuses.contains(candidate.standing.status) {
            guard let inventory = candidate.inventory else {
                unreadable.append("\(candidate.standing.copNo ?? "?"): \(candidate.unreadable ?? "not an export inventory")")
                continue
            }
            exports[inventory.head.orderNo, default: []].append((inventory, candidate.standing))
        }
        let receipts = Dictionary(grouping: payments, by: \.orderNo)
        var orderNos = Set(exports.filter { $0.value.contains { period.contains(cebDate: $0.0.head.ieDate) } }.keys)
        for (orderNo, list) in receipts where exports[orderNo] == nil
            && list.contains(where: { $0.appTime.map { period.contains(cebDate: ChinaTime.cebTime($0, milliseconds: false)) } ?? false }) {
            orderNos.insert(orderNo)
        }
        var exportedTotal = Sums()
        var receivedTotal = Sums()
        var orders: [FXOrder] = []
        for orderNo in orderNos.sorted() {
            var exported = Sums()
            for (inventory, _) in exports[orderNo] ?? [] {
                for line in inventory.lines { try exported.add(line.totalPrice, line.currency, "value of \(orderNo) in \(line.currency)") }
            }
            var received = Sums()
            let paid = receipts[orderNo] ?? []
            for receipt in paid where !uncountedStatuses.contains(receipt.status) {
                try received.add(CEBDecimal(units: (receipt.charge ?? .zero).scaled), receipt.currency ?? "",
                                 "payments of \(orderNo) in \(receipt.currency ?? "")")
            }
            try exportedTotal.add(exported, "exports")
            try receivedTotal.add(received, "payments")
            orders.append(FXOrder(
                orderNo: orderNo, standing: standing(exported: exported, received: received, hasExports: exports[orderNo] != nil),
                exported: exported.amounts, received: received.amounts,
                inventories: (exports[orderNo] ?? []).map { inventory, standing in
                    FXInventory(copNo: inventory.head.copNo, invtNo: standing.invtNo, exportDate: inventory.head.ieDate, status: standing.status.rawValue)
                },
                receipts: paid.map { r in
                    FXReceipt(payNo: r.payNo, payCode: r.payCode, charge: CEBDecimal(units: (r.charge ?? .zero).scaled).description,
                              currency: r.currency ?? "", time: r.appTime.map { ChinaTime.cebTime($0, milliseconds: false) },
                              status: r.status.rawValue, counted: !uncountedStatuses.contains(r.status))
                }))
        }
        let currencies = Set(exportedTotal.values.keys).union(receivedTotal.values.keys).sorted().map { currency in
            let e = exportedTotal.values[currency] ?? .zero
            let r = receivedTotal.values[currency] ?? .zero
            return FXCurrencyTotal(currency: currency, exported: e.description, received: r.description, outstanding: (e &- r).description)
        }
        return FXSettlementReport(
            ebcCode: ebcCode, period: period.description, currencies: currencies, orders: orders,
            exportedNotPaid: orders.filter { $0.standing == .exportedNotPaid }.map(\.orderNo),
            paidNotExported: orders.filter { $0.standing == .paidNotExported }.map(\.orderNo), unreadable: unreadable)
    }

    static func standing(exported: Sums, received: Sums, hasExports: Bool) -> FXOrderStanding {
        guard hasExports else { return .paidNotExported }
        guard !received.values.isEmpty else { return .exportedNotPaid }
        let currencies = Set(exported.values.keys).union(received.values.keys)
        if currencies.contains(where: { (received.values[$0] ?? .zero) < (exported.values[$0] ?? .zero) }) { return .underpaid }
        if currencies.contains(where: { (received.values[$0] ?? .zero) > (exported.values[$0] ?? .zero) }) { return .overpaid }
        return .settled
    }

    /// Exact sums per currency.
    struct Sums {
        var values: [String: CEBDecimal] = [:]

        mutating func add(_ value: CEBDecimal, _ currency: String, _ what: String) throws(SummaryError) {
            guard let sum = (values[currency] ?? .zero).adding(value) else { throw .overflow(what) }
            values[currency] = sum
        }

        mutating func add(_ other: Sums, _ what: String) throws(SummaryError) {
            for (currency, value) in other.values { try add(value, currency, "\(what) in \(currency)") }
        }

        var amounts: [FXAmount] { values.keys.sorted().map { FXAmount(currency: $0, value: values[$0]!.description) } }
    }
}
