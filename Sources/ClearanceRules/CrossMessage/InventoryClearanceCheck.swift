import CEBModel

/// Everything the cross-message rules decided for one retail-import inventory.
public struct InventoryClearanceReport: Sendable, Hashable {
    /// The three-document verdict.
    public var match: MatchVerdict
    /// Quota decision (nil while documents are missing).
    public var quota: QuotaDecision?
    /// Tax computed for the inventory (nil while documents are missing).
    public var tax: RetailImportTax?
    /// All refusals: mismatches, quota and tax issues.
    public var issues: [CrossMessageIssue]

    /// Whether the inventory may be forwarded to customs now.
    public var mayForward: Bool {
        if case .matched = match { return issues.isEmpty }
        return false
    }

    /// Whether it must wait for documents.
    public var isAwaiting: Bool {
        if case .awaiting = match { return true }
        return false
    }
}

/// Runs the three-document match, the quotas and the tax check on a retail-import inventory.
public enum InventoryClearanceCheck {
    /// Retail-import trade modes the rules apply to (9610 direct mail, 1210/1239 bonded).
    public static let retailImportTradeModes: Set<String> = ["9610", "1210", "1239"]

    /// Whether an inventory is a retail import the three-document match applies to.
    public static func applies(to head: InventoryHead) -> Bool {
        head.ieFlag == "I" && retailImportTradeModes.contains(head.tradeMode)
    }

    /// Evaluates `inventory` against the history.
    public static func evaluate(
        _ inventory: Inventory, history: some ClearanceHistory, rates: RetailImportTaxRates = .current
    ) async throws(ClearanceHistoryError) -> InventoryClearanceReport {
        try await evaluate(inventory, linked: try await history.linkedDocuments(for: inventory.head), history: history, rates: rates)
    }

    /// Evaluates several inventories, their linked documents looked up together; reports in their order.
    public static func evaluate(
        _ inventories: [Inventory], history: some ClearanceHistory, rates: RetailImportTaxRates = .current
    ) async throws(ClearanceHistoryError) -> [InventoryClearanceReport] {
        let linked = try await history.linkedDocuments(for: inventories.map(\.head))
        var reports: [InventoryClearanceReport] = []
        for (inventory, documents) in zip(inventories, linked) {
            reports.append(try await evaluate(inventory, linked: documents, history: history, rates: rates))
        }
        return reports
    }

    static func evaluate(
        _ inventory: Inventory, linked: LinkedDocuments, history: some ClearanceHistory, rates: RetailImportTaxRates
    ) async throws(ClearanceHistoryError) -> InventoryClearanceReport {
        let verdict = ThreeDocumentMatch.evaluate(inventory, linked)
        guard case .awaiting = verdict else {
            var issues: [CrossMessageIssue] = []
            if case .mismatched(let mismatches) = verdict { issues += mismatches }
            let year = BuyerQuota.year(of: inventory.head.appTime) ?? BuyerQuota.year(of: inventory.head.declTime) ?? 0
            let annual = try await history.annualTotal(
                buyerIdType: inventory.head.buyerIdType, buyerIdNumber: inventory.head.buyerIdNumber, year: year,
                excludingDeclarationGuid: inventory.head.guid)
            let quota = BuyerQuota.check(inventory, annual: annual, rates: rates)
            issues += quota.issues
            let tax = RetailImportTax.compute(inventory, rates: rates, retailTreatment: quota.retailTreatment)
            if let order = linked.order, let taxIssue = tax.check(declared: order.head.taxTotal) { issues.append(taxIssue) }
            return InventoryClearanceReport(match: verdict, quota: quota, tax: tax, issues: issues)
        }
        return InventoryClearanceReport(match: verdict, quota: nil, tax: nil, issues: [])
    }
}
