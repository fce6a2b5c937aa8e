/// Foreign-exchange settlement (收汇) of an export e-commerce enterprise's month: what it exported
/// set against what it was paid (payment receipts, CEB403), per order and per currency. Amounts are
/// exact decimals as text (10⁻⁵ units summed, never through floating point).
public struct FXSettlementReport: Sendable, Hashable, Encodable {
    public var ebcCode: String
    /// `YYYY-MM`.
    public var period: String
    /// Per currency: exported, received and the difference (exported − received), in currency-code order.
    public var currencies: [FXCurrencyTotal]
    /// Every order of the period, in orderNo order.
    public var orders: [FXOrder]
    /// orderNos exported in the period with no payment receipt counted.
    public var exportedNotPaid: [String]
    /// orderNos with a payment receipt in the period and no export released by customs.
    public var paidNotExported: [String]
    /// Export inventories that could not be read back (`copNo: why`), left out of the sums.
    public var unreadable: [String]
}

/// Σ of one currency.
public struct FXCurrencyTotal: Sendable, Hashable, Encodable {
    public var currency: String
    public var exported: String
    public var received: String
    /// exported − received: positive is still to be paid, negative is paid beyond the exports.
    public var outstanding: String
}

/// An amount in a currency.
public struct FXAmount: Sendable, Hashable, Encodable {
    public var currency: String
    public var value: String
}

/// Where an order's money stands.
public enum FXOrderStanding: String, Sendable, Hashable, Encodable, CaseIterable {
    /// Received equals exported in every currency.
    case settled
    /// Some currency is received short of what was exported (part-paid).
    case underpaid
    /// Nothing short, and some currency received beyond what was exported.
    case overpaid
    /// Exported, no payment receipt counted.
    case exportedNotPaid = "exported-not-paid"
    /// Paid, no export released by customs.
    case paidNotExported = "paid-not-exported"
}

/// One export order: its exports, its payment receipts and where it stands.
public struct FXOrder: Sendable, Hashable, Encodable {
    public var orderNo: String
    public var standing: FXOrderStanding
    /// Σ line value of its exported inventories, per line currency.
    public var exported: [FXAmount]
    /// Σ charge of its counted payment receipts, per currency.
    public var received: [FXAmount]
    public var inventories: [FXInventory]
    public var receipts: [FXReceipt]
}

/// An export inventory of the order that customs released.
public struct FXInventory: Sendable, Hashable, Encodable {
    public var copNo: String
    public var invtNo: String?
    /// yyyyMMdd (`ieDate`).
    public var exportDate: String
    public var status: String
}

/// A payment receipt (CEB403) of the order.
public struct FXReceipt: Sendable, Hashable, Encodable {
    public var payNo: String?
    public var payCode: String?
    public var charge: String
    public var currency: String
    /// yyyyMMddHHmmss China time (`appTime`).
    public var time: String?
    public var status: String
    /// false: refused, deleted, returned by customs or never routed, so not set against the exports.
    public var counted: Bool
}

extension FXSettlementReport {
    public static let csvHeader = ["orderNo", "standing", "currency", "exported", "received", "inventories", "receipts"]

    /// One row per order and currency (an order with nothing in a currency shows 0 there).
    public var csv: String {
        var out = CSVText.row(Self.csvHeader)
        for order in orders {
            let currencies = Set(order.exported.map(\.currency) + order.received.map(\.currency)).sorted()
            for currency in currencies.isEmpty ? [""] : currencies {
                out += CSVText.row([
                    order.orderNo, order.standing.rawValue, currency,
                    order.exported.first { $0.currency == currency }?.value ?? "0",
                    order.received.first { $0.currency == currency }?.value ?? "0",
                    order.inventories.map { $0.invtNo ?? $0.copNo }.joined(separator: " "),
                    order.receipts.filter(\.counted).compactMap(\.payNo).joined(separator: " "),
                ])
            }
        }
        return out
    }
}
