/// The `status` of a tax bill (CEB816 `TaxHeadRd/status`, CEB818 `TaxHeadStatus/status`): the
/// official schema allows 1, 2 and 3 without naming them. Read here as 1 issued (已生成: the tax is
/// owed, secured by the guarantee named in `assureCode`), 2 summarised (已汇总: taken into the
/// periodic collection, i.e. being paid) and 3 voided (作废: a cancelled or refunded inventory).
/// This reading is unconfirmed (`schemas/README.md`); the code is always shown beside it.
struct TaxBillStatus: CustomStringConvertible {
    let code: String

    var description: String {
        switch code {
        case "1": "1 issued, secured by the guarantee"
        case "2": "2 summarised for payment"
        case "3": "3 voided"
        default: "\(code) (unknown)"
        }
    }
}
