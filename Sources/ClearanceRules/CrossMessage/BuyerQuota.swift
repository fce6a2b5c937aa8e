import CEBModel

/// The personal limits of cross-border retail imports: ¥5,000 per transaction and ¥26,000 per
/// buyer ID per calendar year (since 2019), counted on the dutiable value (goods + freight +
/// insurance).
///
/// Two counts of the year so far (``BuyerAnnualTotal``): what customs has released or cleared,
/// and what is declared and not yet answered (in flight). Counting only the first let a buyer
/// cross the limit with several inventories sent before any was released.
///
/// Codes: `QTA001` the order exceeds the per-order limit (a single indivisible item above it is
/// allowed but taxed in full as general trade — see ``QuotaDecision/retailTreatment``);
/// `QTA002` the released and cleared total would exceed the annual limit; `QTA003` it would
/// once the inventories still in flight are released. Neither says the amounts already used: the
/// buyer's purchases through other enterprises are not the declaring enterprise's business.
public struct QuotaDecision: Sendable, Hashable {
    /// Refusals (empty when within the limits).
    public var issues: [CrossMessageIssue]
    /// `false` when the goods must be taxed as general trade (single item above the per-order limit).
    public var retailTreatment: Bool
    /// This order's dutiable value.
    public var orderValue: CEBDecimal
    /// The buyer's totals this year before this order.
    public var annual: BuyerAnnualTotal
}

/// A buyer's dutiable value so far in one calendar year.
public struct BuyerAnnualTotal: Sendable, Hashable {
    /// Released (800) or cleared (899) by customs.
    public var cleared: CEBDecimal
    /// Declared to customs and not yet released, returned or cancelled.
    public var inFlight: CEBDecimal

    /// Creates a total.
    public init(cleared: CEBDecimal = .zero, inFlight: CEBDecimal = .zero) {
        self.cleared = cleared
        self.inFlight = inFlight
    }
}

/// Checks the quotas for one inventory.
public enum BuyerQuota {
    /// - Parameters:
    ///   - annual: the buyer's dutiable value this calendar year, not counting this inventory
    ///     (from ``ClearanceHistory``).
    public static func check(
        _ inventory: Inventory, annual: BuyerAnnualTotal, rates: RetailImportTaxRates = .current
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
        if annual.cleared &+ value > rates.annualLimit {
            issues.append(CrossMessageIssue(
                code: "QTA002", field: "buyer annual total", expected: "≤ \(rates.annualLimit)", actual: "exceeded",
                message: "the buyer's purchases this calendar year would exceed the ¥26,000 annual limit"))
        } else if annual.cleared &+ annual.inFlight &+ value > rates.annualLimit {
            issues.append(CrossMessageIssue(
                code: "QTA003", field: "buyer annual total", expected: "≤ \(rates.annualLimit)", actual: "exceeded with pending declarations",
                message: "the buyer's purchases this calendar year, counting declarations not yet answered by customs, would exceed the ¥26,000 annual limit"))
        }
        return QuotaDecision(issues: issues, retailTreatment: retail, orderValue: value, annual: annual)
    }

    /// The calendar year of a CEB date or date-time (`YYYYMMDD…`), or nil.
    public static func year(of cebTime: String) -> Int? {
        guard cebTime.utf8.count >= 4 else { return nil }
        return Int(cebTime.prefix(4))
    }
}
