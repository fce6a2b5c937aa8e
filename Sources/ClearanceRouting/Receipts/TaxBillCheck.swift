import CEBModel
import ClearanceStore
import Foundation

/// Customs' electronic tax bill (CEB816) held against the inventory it taxes: the duty, VAT and
/// consumption tax customs computed, their sum, and the tax declared for the inventory: its order's
/// `taxTotal` (CEB311; the inventory itself carries no tax). A difference is what a platform must
/// look into (it collected the declared tax from the buyer),
/// so it is an event with code `TAX001`; an agreeing bill is a plain `tax-bill` event.
enum TaxBillCheck {
    /// The timeline event for a newly stored bill. `declared` is the order's `taxTotal` (nil when
    /// no order declared one).
    static func event(_ bill: TaxBill, declared: FixedDecimal?, messageGuid: String, at time: Date) -> Event {
        let h = bill.head
        let duty = FixedDecimal(scaled: h.customsTax.units)
        let vat = FixedDecimal(scaled: h.valueAddedTax.units)
        let consumption = FixedDecimal(scaled: h.consumptionTax.units)
        let total = FixedDecimal(scaled: duty.scaled + vat.scaled + consumption.scaled)
        var detail = "tax bill \(h.taxNo) (\(TaxBillStatus(code: h.status))): duty \(duty.money) + VAT \(vat.money)"
            + " + consumption tax \(consumption.money) = \(total.money)"
        var code: String?
        if let declared {
            let difference = total.scaled - declared.scaled
            detail += "; declared \(declared.money)"
            // Compared at the fen: customs and platforms both round each tax to 0.01.
            if (difference + (difference >= 0 ? 500 : -500)) / 1000 != 0 {
                code = "TAX001"
                detail += "; difference \(difference > 0 ? "+" : "")\(FixedDecimal(scaled: difference).money)"
            }
        } else {
            detail += "; no declared tax to compare"
            code = total.scaled == 0 ? nil : "TAX001"
        }
        return Event(kind: .taxBill, occurredAt: time, messageGuid: messageGuid, code: code, detail: detail,
                     dedupKey: "tax-bill:\(h.guid):\(h.returnTime)")
    }

    /// The timeline event for a tax bill status (CEB818).
    static func event(_ status: TaxStatus, messageGuid: String, at time: Date) -> Event {
        let h = status.head
        return Event(kind: .taxBillStatus, occurredAt: time, messageGuid: messageGuid, code: h.status,
                     detail: "tax bill \(h.taxNo): \(TaxBillStatus(code: h.status))",
                     dedupKey: "tax-bill-status:\(h.guid):\(h.status):\(h.returnTime)")
    }
}
