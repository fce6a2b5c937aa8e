import CEBModel
@testable import ClearanceRules
import Testing

/// The export match: the sample export inventory against its order, receipt of payment and waybill
/// (which agree), a missing document named but not blocking, and one code per kind of disagreement.
@Suite struct ExportMatchTests {
    static func document<T>(_ sample: String, _ pick: (CEBDocument) -> T?) -> T {
        guard let value = pick(CrossMessageFixtures.decode(sample)) else { fatalError("\(sample) is not the expected document") }
        return value
    }
    let inventory = document("CEB603-export-inventory.xml") { if case .exportInventory(let v) = $0 { v } else { nil } }
    let order = document("CEB303-export-order.xml") { if case .exportOrder(let v) = $0 { v } else { nil } }
    let receipt = document("CEB403-payment-receipt.xml") { if case .paymentReceipt(let v) = $0 { v } else { nil } }
    let waybill = document("CEB505-export-logistics.xml") { if case .exportLogistics(let v) = $0 { v } else { nil } }

    var linked: LinkedExportDocuments { LinkedExportDocuments(order: order, receipt: receipt, waybill: waybill) }

    func codes(_ inventory: ExportInventory, _ linked: LinkedExportDocuments) -> [String] {
        guard case .mismatched(let issues) = ExportDocumentMatch.evaluate(inventory, linked) else { return [] }
        return issues.map(\.code)
    }

    @Test func samplesAgree() {
        #expect(ExportDocumentMatch.evaluate(inventory, linked) == .matched)
    }

    @Test func aMissingDocumentIsNamedButDoesNotHoldTheInventory() {
        #expect(ExportDocumentMatch.evaluate(inventory, LinkedExportDocuments(order: order, waybill: waybill))
                == .incomplete(missing: ["receipt of payment (CEB403)"]))
        #expect(ExportDocumentMatch.evaluate(inventory, LinkedExportDocuments()) == .incomplete(missing: [
            "export order (CEB303)", "receipt of payment (CEB403)", "export waybill (CEB505)"]))
    }

    @Test func partiesDisagree() {
        var o = order
        o.head.ebpCode = "91350100MA2YH3LK7J"
        #expect(codes(inventory, LinkedExportDocuments(order: o)) == ["MAT101"])
        var r = receipt
        r.ebcCode = "91350105MA8EXP0009"
        #expect(codes(inventory, LinkedExportDocuments(receipt: r)) == ["MAT102"])
        var w = waybill
        w.ebcCode = "91350105MA8EXP0009"
        #expect(codes(inventory, LinkedExportDocuments(waybill: w)) == ["MAT102"])
    }

    @Test func goodsDisagreeFieldByField() {
        var i = inventory
        i.lines[0].qty = CEBDecimal(5)
        #expect(codes(i, linked) == ["MAT104"])
        i = inventory
        i.lines[1].price = CEBDecimal(421)
        i.lines[1].totalPrice = CEBDecimal(421)
        let found = codes(i, linked)
        #expect(found.filter { $0 == "MAT105" }.count == 2 && found.contains("MAT106"), "\(found)")
        i = inventory
        i.lines[0].itemNo = "NOT-ON-ORDER"
        #expect(codes(i, linked) == ["MAT103"])
        i = inventory
        i.lines.removeLast()
        #expect(codes(i, linked).contains("MAT103"))
    }

    @Test func moneyDisagrees() {
        var r = receipt
        r.charge = CEBDecimal(700)
        #expect(codes(inventory, LinkedExportDocuments(order: order, receipt: r, waybill: waybill)) == ["MAT108"])
        r = receipt
        r.currency = "502"
        #expect(codes(inventory, LinkedExportDocuments(order: order, receipt: r, waybill: waybill)) == ["MAT107"])
        var i = inventory
        i.lines[0].currency = "502"
        #expect(codes(i, linked) == ["MAT107"])
    }
}
