import CEBModel
import ClearanceRules
import Foundation

/// The electronic tax bill (电子税单, CEB816) customs issues for a released retail import: the tax
/// computed from the inventory itself (``RetailImportTax``: zero tariff and 70 % of VAT and
/// consumption tax inside the limits), with no `BaseTransfer`, like customs' other receipts. The
/// platform's store then compares it with the tax the order declared (`TAX001` on a difference).
enum TaxBillBuilder {
    /// The CEB816 for `inventory`, known to customs as `invtNo`; status 1 (the bill issued, unpaid).
    static func bill(for inventory: Inventory, invtNo: String, time: Date, customsCode: String) -> (type: String, bytes: [UInt8]) {
        let tax = RetailImportTax.compute(inventory)
        let share = RetailImportTaxRates.current.retailShare
        var lines: [(gnum: Int, gcode: String, price: CEBDecimal, duty: CEBDecimal, vat: CEBDecimal, consumption: CEBDecimal)] = []
        for line in tax.lines {
            let payable = line.payable.rounded(toFractionDigits: 2)
            let vat = tax.retailTreatment ? (line.vat.multiplied(by: share) ?? .zero).rounded(toFractionDigits: 2) : line.vat.rounded(toFractionDigits: 2)
            let duty = line.tariff.rounded(toFractionDigits: 2)
            // What is left of the line's payable amount is its consumption tax, so the parts add up to it exactly.
            lines.append((line.gnum, line.gcode, line.dutiableValue, duty, vat, payable &- duty &- vat))
        }
        let duty = lines.reduce(CEBDecimal.zero) { $0 &+ $1.duty }
        let vat = lines.reduce(CEBDecimal.zero) { $0 &+ $1.vat }
        // The head carries the bill's total (rounded once, as customs charges it); the consumption tax takes the rounding.
        let consumption = tax.total &- duty &- vat
        let h = inventory.head
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:CEB816Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <ceb:Tax>
                <ceb:TaxHeadRd>

            """
        let head: [(String, String?)] = [
            ("guid", UUID().uuidString), ("returnTime", ReceiptBuilder.returnTime(time)), ("invtNo", invtNo), ("taxNo", invtNo + "_0"),
            ("customsTax", duty.description), ("valueAddedTax", vat.description), ("consumptionTax", consumption.description), ("status", "1"),
            ("ebcCode", h.ebcCode), ("logisticsCode", h.logisticsCode), ("agentCode", h.agentCode),
            ("customsCode", h.customsCode.isEmpty ? customsCode : h.customsCode),
        ]
        for (name, value) in head {
            guard let value, !value.isEmpty else { continue }
            xml += "      <ceb:\(name)>\(XMLText.escape(value, attribute: false))</ceb:\(name)>\n"
        }
        xml += "    </ceb:TaxHeadRd>\n"
        for line in lines {
            xml += "    <ceb:TaxListRd><ceb:gnum>\(line.gnum)</ceb:gnum><ceb:gcode>\(XMLText.escape(line.gcode, attribute: false))</ceb:gcode>"
                + "<ceb:taxPrice>\(line.price.description)</ceb:taxPrice><ceb:customsTax>\(line.duty.description)</ceb:customsTax>"
                + "<ceb:valueAddedTax>\(line.vat.description)</ceb:valueAddedTax><ceb:consumptionTax>\(line.consumption.description)</ceb:consumptionTax></ceb:TaxListRd>\n"
        }
        xml += """
              </ceb:Tax>
            </ceb:CEB816Message>

            """
        return ("CEB816", Array(xml.utf8))
    }
}
