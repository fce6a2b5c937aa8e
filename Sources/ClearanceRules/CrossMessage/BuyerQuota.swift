import CEBModel

/// The personal limits of cross-border retail imports: ¥5,000 per transaction and ¥26,000 per
/// buyer ID per calendar year (since 2019), counted on the dutiable value (goods + freight +
/// insurance) of what has already been released or cleared.
///
/// Codes: `QTA001` the order exceeds the per-order limit (a single indivisible item above it is
/// allowed but taxed in full as general trade — see ``QuotaDecision/retailTreatment``);
/// `QTA002` the buyer's annual total would exceed the annual limit.
public struct QuotaDecision: Sendable, Hashable {
    /// Refusals (empty when within the limits).
    public var issues: [CrossMessageIssue]
    /// `false` when the goods must be taxed as general trade (single item above the per-order limit).
    public var retailTreatment: Bool
    /// This order's dutiable value.
    public var orderValue: CEBDecimal
    /// The buyer's total this year before this order.
    public var clearedThisYear: CEBDecimal
}

/// Checks the quotas for one inventory.
public enum BuyerQuota {
    /// - Parameters:
    ///   - clearedThisYear: the buyer's dutiable value already released or cleared this calendar
    ///     year, not counting this inventory (from ``ClearanceHistory``).
    public static func check(
        _ inventory: Inventory, clearedThisYear: CEBDecimal, rates: RetailImportTaxRates = .current
    ) -> QuotaDecision {
        let goods = CEBDecimal.sum(inventory.lines.map(\.totalPrice))
        let value = CEBDecimal.sum([goods, inventory.head.freight, inventory.head.insuredFee])
        var issues: [CrossMessageIssue] = []
        var retail = true
        if value > rates.perOrderLimit {
            let singleItem = inventory.lines.count == 1 && inventory.lines[0].qty == CEBDecimal(1)
            if singleItem {
                retail = false
            } else {
                issues.append(CrossMessageIssue(
                    code: "QTA001", field: "inventory (goods + freight + insurance)", expected: "≤ \(rates.perOrderLimit)",
                    actual: value.description, message: "the order exceeds the ¥5,000 per-transaction limit of retail imports"))
            }
        }
        let after = clearedThisYear &+ value
        if after > rates.annualLimit {
            issues.append(CrossMessageIssue(
                code: "QTA002", field: "buyer annual total", expected: "≤ \(rates.annualLimit)",
                actual: "\(clearedThisYear) cleared + \(value) = \(after)",
                message: "the buyer's purchases this calendar year would exceed the ¥26,000 annual limit"))
        }
        return QuotaDecision(issues: issues, retailTreatment: retail, orderValue: value, clearedThisYear: clearedThisYear)
    }

    /// The calendar year of a CEB date or date-time (`YYYYMMDD…`), or nil.
    public static func year(of cebTime: String) -> Int? {
        guard cebTime.utf8.count >= 4 else { return nil }
        return Int(cebTime.prefix(4))
    }
}
