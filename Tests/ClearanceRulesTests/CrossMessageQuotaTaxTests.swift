import CEBModel
@testable import ClearanceRules
import Testing

/// Quotas (QTA001/002), the retail import tax (TAX001) and the combined inventory check.
@Suite struct CrossMessageQuotaTaxTests {
    let order = CrossMessageFixtures.order
    let payment = CrossMessageFixtures.payment
    let waybill = CrossMessageFixtures.waybill
    let inventory = CrossMessageFixtures.inventory

    @Test func sampleTaxIsSeventyPercentOfVATOnGoodsPlusFreight() {
        let tax = RetailImportTax.compute(inventory)
        // (742.00 + 10.00) × 13 % × 70 % = 68.432 → 68.43, the sample's taxTotal.
        #expect(tax.total == CEBDecimal("68.43")!)
        #expect(tax.dutiableValue == CEBDecimal("752.00")!)
        #expect(tax.lines.map(\.dutiableValue) == [CEBDecimal("267.56")!, CEBDecimal("484.44")!])
        #expect(tax.ratesVersion == RetailImportTaxRates.current.version)
        #expect(tax.check(declared: order.head.taxTotal) == nil)
    }

    @Test func declaredTaxOffByMoreThanACentIsTAX001() throws {
        let tax = RetailImportTax.compute(inventory)
        let issue = try #require(tax.check(declared: CEBDecimal("60.00")!))
        #expect(issue.code == "TAX001")
        #expect(issue.expected == "68.43")
        #expect(issue.actual == "60.00")
        #expect(tax.check(declared: CEBDecimal("68.44")!) == nil)
    }

    @Test func consumptionTaxIsGrossedUp() {
        var inv = inventory
        inv.head.freight = .zero
        inv.lines = [InventoryLine(gnum: 1, itemNo: "LIP", gcode: "3304100091", gname: "口红", country: "305", currency: "142",
                                   qty: CEBDecimal(1), unit: "011", price: CEBDecimal(85), totalPrice: CEBDecimal(85))]
        let tax = RetailImportTax.compute(inv)
        // CT = 85 × 0.15 / 0.85 = 15; VAT = (85 + 15) × 13 % = 13; payable 70 % × 28 = 19.60.
        #expect(tax.lines[0].consumptionTax == CEBDecimal(15))
        #expect(tax.lines[0].vat == CEBDecimal(13))
        #expect(tax.total == CEBDecimal("19.60")!)
    }

    @Test func perOrderLimitIsQTA001ButASingleItemIsTaxedInFull() {
        var inv = inventory
        inv.lines[1].qty = CEBDecimal(20)
        inv.lines[1].totalPrice = CEBDecimal("4780.00")!
        let decision = BuyerQuota.check(inv, annual: BuyerAnnualTotal())
        #expect(decision.issues.map(\.code) == ["QTA001"])
        #expect(decision.orderValue == CEBDecimal("5054.00")!)

        var single = inventory
        single.lines = [InventoryLine(gnum: 1, itemNo: "WATCH", gcode: "9101110000", gname: "手表", country: "303", currency: "142",
                                      qty: CEBDecimal(1), unit: "011", price: CEBDecimal(6000), totalPrice: CEBDecimal(6000))]
        let allowed = BuyerQuota.check(single, annual: BuyerAnnualTotal())
        #expect(allowed.issues.isEmpty)
        #expect(allowed.retailTreatment == false)
        let full = RetailImportTax.compute(single, retailTreatment: allowed.retailTreatment)
        #expect(full.lines[0].tariff > .zero)
        #expect(full.total > RetailImportTax.compute(single).total)
    }

    @Test func annualLimitCountsWhatIsAlreadyClearedIsQTA002() {
        let within = BuyerQuota.check(inventory, annual: BuyerAnnualTotal(cleared: CEBDecimal(25_248)))
        #expect(within.issues.isEmpty)  // 25,248 + 752 = 26,000 exactly
        let over = BuyerQuota.check(inventory, annual: BuyerAnnualTotal(cleared: CEBDecimal("25248.01")!))
        #expect(over.issues.map(\.code) == ["QTA002"])
        // No amount of the buyer's year so far: it may come from other enterprises' declarations.
        #expect(over.issues[0].actual == "exceeded")
        #expect(!over.issues[0].description.contains("25248"))
    }

    /// Inventories declared and not yet answered count too: five routed, unanswered inventories
    /// do not leave room for a sixth that crosses the limit (it passed before: only cleared counted).
    @Test func annualLimitCountsWhatIsInFlightIsQTA003() {
        let fiveInFlight = BuyerAnnualTotal(cleared: .zero, inFlight: CEBDecimal(25_300))
        let refused = BuyerQuota.check(inventory, annual: fiveInFlight)
        #expect(refused.issues.map(\.code) == ["QTA003"])
        #expect(!refused.issues[0].description.contains("25300"))
        let room = BuyerQuota.check(inventory, annual: BuyerAnnualTotal(cleared: CEBDecimal(10_000), inFlight: CEBDecimal(15_248)))
        #expect(room.issues.isEmpty)  // 10,000 + 15,248 + 752 = 26,000 exactly
        let clearedFirst = BuyerQuota.check(inventory, annual: BuyerAnnualTotal(cleared: CEBDecimal(26_000), inFlight: CEBDecimal(1)))
        #expect(clearedFirst.issues.map(\.code) == ["QTA002"])
    }

    @Test func combinedCheckForwardsOnlyWhenEverythingAgrees() async throws {
        let all = LinkedDocuments(order: order, payment: payment, waybill: waybill)
        let ok = try await InventoryClearanceCheck.evaluate(inventory, history: FixedHistory(linked: all))
        #expect(ok.mayForward)
        #expect(ok.issues.isEmpty)

        let waiting = try await InventoryClearanceCheck.evaluate(inventory, history: FixedHistory(linked: LinkedDocuments(order: order)))
        #expect(waiting.isAwaiting)
        #expect(!waiting.mayForward)

        let overQuota = try await InventoryClearanceCheck.evaluate(inventory, history: FixedHistory(linked: all, cleared: CEBDecimal(26_000)))
        #expect(!overQuota.mayForward)
        #expect(overQuota.issues.map(\.code) == ["QTA002"])

        var lowTax = order
        lowTax.head.taxTotal = CEBDecimal("10.00")!
        let taxed = try await InventoryClearanceCheck.evaluate(
            inventory, history: FixedHistory(linked: LinkedDocuments(order: lowTax, payment: payment, waybill: waybill)))
        #expect(taxed.issues.map(\.code) == ["TAX001"])
    }

    @Test func appliesOnlyToRetailImports() {
        var head = inventory.head
        #expect(InventoryClearanceCheck.applies(to: head))
        head.tradeMode = "0110"
        #expect(!InventoryClearanceCheck.applies(to: head))
    }
}
