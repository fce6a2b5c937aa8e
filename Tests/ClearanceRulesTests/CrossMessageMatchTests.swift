import CEBModel
@testable import ClearanceRules
import Testing

/// Three-document match (三单对碰): agreement, waiting, and one code per kind of disagreement.
@Suite struct CrossMessageMatchTests {
    let order = CrossMessageFixtures.order
    let payment = CrossMessageFixtures.payment
    let waybill = CrossMessageFixtures.waybill
    let inventory = CrossMessageFixtures.inventory

    func codes(_ verdict: MatchVerdict) -> [String] {
        guard case .mismatched(let issues) = verdict else { return [] }
        return issues.map(\.code)
    }

    @Test func samplesAgree() {
        let verdict = ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: order, payment: payment, waybill: waybill))
        #expect(verdict == .matched)
    }

    @Test func waitsForMissingDocumentsAndNamesThem() {
        let verdict = ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: order))
        #expect(verdict == .awaiting(missing: ["payment (CEB411)", "waybill (CEB511)"]))
        #expect(ThreeDocumentMatch.evaluate(inventory, LinkedDocuments()) == .awaiting(missing: ["order (CEB311)", "payment (CEB411)", "waybill (CEB511)"]))
    }

    @Test func platformCodeMismatchIsMAT001() {
        var p = payment
        p.head.ebpCode = "91350100MA2YH3LK7J"
        let verdict = ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: order, payment: p, waybill: waybill))
        guard case .mismatched(let issues) = verdict else { Issue.record("expected a mismatch"); return }
        #expect(issues.map(\.code) == ["MAT001"])
        #expect(issues[0].field == "payment.ebpCode")
        #expect(issues[0].expected == inventory.head.ebpCode)
        #expect(issues[0].actual == "91350100MA2YH3LK7J")
    }

    @Test func logisticsCodeMismatchIsMAT002() {
        var w = waybill
        w.head.logisticsCode = "3516980E2K"
        #expect(codes(ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: order, payment: payment, waybill: w))) == ["MAT002"])
    }

    @Test func paidAmountMismatchIsMAT003WithBothAmounts() {
        var p = payment
        p.head.amountPaid = CEBDecimal("800.42")!
        guard case .mismatched(let issues) = ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: order, payment: p, waybill: waybill)) else {
            Issue.record("expected a mismatch"); return
        }
        #expect(issues.map(\.code) == ["MAT003"])
        #expect(issues[0].expected == "800.43")
        #expect(issues[0].actual == "800.42")
    }

    @Test func buyerIdentityMismatchesAreMAT004To006AndNeverShowTheWholeID() {
        var o = order
        o.head.buyerIdType = "2"
        var p = payment
        p.head.payerIdNumber = "350128199003070032"
        p.head.payerName = "陈思远A"
        guard case .mismatched(let issues) = ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: o, payment: p, waybill: waybill)) else {
            Issue.record("expected a mismatch"); return
        }
        #expect(issues.map(\.code) == ["MAT004", "MAT005", "MAT006"])
        #expect(issues.map(\.field) == ["order.buyerIdType", "payment.payerIdNumber", "payment.payerName"])
        for issue in issues {
            #expect(!(issue.expected ?? "").contains("350128199003070024"))
            #expect(!(issue.actual ?? "").contains("350128199003070032"))
        }
    }

    @Test func lineMismatchesAreMAT007To010() {
        var inv = inventory
        inv.lines[0].qty = CEBDecimal(4)
        inv.lines[0].totalPrice = CEBDecimal("352.00")!
        inv.lines[1].itemNo = "AU-MP-9999"
        guard case .mismatched(let issues) = ThreeDocumentMatch.evaluate(inv, LinkedDocuments(order: order, payment: payment, waybill: waybill)) else {
            Issue.record("expected a mismatch"); return
        }
        #expect(issues.map(\.code) == ["MAT008", "MAT009", "MAT007", "MAT010"])
        #expect(issues[0].field == "inventory.InventoryList[1].qty")
        #expect(issues[0].expected == "3.00" && issues[0].actual == "4.00")
        #expect(issues[3].expected == "742.00" && issues[3].actual == "830.00")
    }

    @Test func priceMismatchIsMAT009() {
        var inv = inventory
        inv.lines[1].price = CEBDecimal("240.00")!
        guard case .mismatched(let issues) = ThreeDocumentMatch.evaluate(inv, LinkedDocuments(order: order, payment: payment, waybill: waybill)) else {
            Issue.record("expected a mismatch"); return
        }
        #expect(issues.map(\.code) == ["MAT009"])
        #expect(issues[0].field == "inventory.InventoryList[2].price")
    }

    @Test func enterpriseAndCurrencyMismatchesAreMAT011AndMAT012() {
        var o = order
        o.head.ebcCode = "91350128MA8T4K2Q5P"
        o.head.currency = "502"
        let found = codes(ThreeDocumentMatch.evaluate(inventory, LinkedDocuments(order: o, payment: payment, waybill: waybill)))
        #expect(found == ["MAT011", "MAT012", "MAT012"])
    }
}
