import CEBModel
import Foundation

/// Builds customs receipt messages (CEB312/412/512/622) in the layout of the standard, and the
/// inspection (`InspReturn`) and payment/FX (`PayExReturn`) answers in the same layout.
enum ReceiptBuilder {
    /// `yyyyMMddHHmmssSSS` in China Standard Time.
    static func returnTime(_ date: Date) -> String { ChinaTime.cebTime(date) }

    /// A receipt message as customs writes it: root `<number>Message` holding the flat `document`
    /// and nothing else — customs' receipts carry no `BaseTransfer` (the channel says who sent them).
    static func message(_ number: String, document: String, fields: [(String, String?)]) -> [UInt8] {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:\(number)Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <ceb:\(document)>

            """
        for (name, value) in fields {
            guard let value, !value.isEmpty else { continue }
            xml += "    <ceb:\(name)>\(XMLText.escape(value, attribute: false))</ceb:\(name)>\n"
        }
        xml += """
              </ceb:\(document)>
            </ceb:\(number)Message>

            """
        return Array(xml.utf8)
    }

    /// The invtNo customs gives an import inventory once it accepts it: the declared one, else the
    /// customs code, `2026I` and the first nine digits of the head guid (the CEB816 tax bill quotes it too).
    static func importInvtNo(_ h: InventoryHead, customsCode: String) -> String {
        if let declared = h.invtNo, !declared.isEmpty { return declared }
        return (h.customsCode.isEmpty ? customsCode : h.customsCode) + "2026I" + String(h.guid.filter(\.isNumber).prefix(9))
    }

    /// The receipt answering `document` with `status`, or nil for documents customs does not answer.
    static func receipt(for document: CEBDocument, status: String, info: String, time: Date, customsCode: String) -> (type: String, bytes: [UInt8])? {
        let t = returnTime(time)
        switch document {
        case .order(let o):
            return ("CEB312", message("CEB312", document: "OrderReturn", fields: [
                ("guid", o.head.guid), ("ebpCode", o.head.ebpCode), ("ebcCode", o.head.ebcCode), ("orderNo", o.head.orderNo),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ]))
        case .payment(let p):
            return ("CEB412", message("CEB412", document: "PaymentReturn", fields: [
                ("guid", p.head.guid), ("payCode", p.head.payCode), ("payTransactionId", p.head.payTransactionId),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ]))
        case .logistics(let l):
            return ("CEB512", message("CEB512", document: "LogisticsReturn", fields: [
                ("guid", l.head.guid), ("logisticsCode", l.head.logisticsCode), ("logisticsNo", l.head.logisticsNo),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ]))
        case .inventory(let i):
            let h = i.head
            let preNo = (h.preNo?.isEmpty ?? true) ? "B" + String(h.guid.filter(\.isNumber).prefix(17)).padding(toLength: 17, withPad: "0", startingAt: 0) : h.preNo!
            let invtNo: String? = ["800", "899", "500", "120", "300"].contains(status) ? importInvtNo(h, customsCode: customsCode) : h.invtNo
            return ("CEB622", message("CEB622", document: "InventoryReturn", fields: [
                ("guid", h.guid), ("customsCode", h.customsCode.isEmpty ? customsCode : h.customsCode), ("ebpCode", h.ebpCode),
                ("ebcCode", h.ebcCode), ("agentCode", h.agentCode), ("copNo", h.copNo ?? ""), ("preNo", preNo), ("invtNo", invtNo),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ]))
        default:
            return exportReceipt(for: document, status: status, info: info, time: time, customsCode: customsCode)
        }
    }
}

extension ReceiptBuilder {
    /// The declaration an inspection answer refers to: its head guid, orderNo and copNo.
    struct InspectionTarget {
        var guid: String
        var orderNo: String?
        var copNo: String?
    }

    /// An `InspReturnMessage` answering the inspection declaration `inspection`. When the message
    /// carried none (the answer is then a rejection) the platform/enterprise inspection codes fall
    /// back to the declaration's ebp/ebc codes (or `NONE`) and the authority to `000000`, so that the
    /// answer stays schema-valid.
    static func inspectionAnswer(target: InspectionTarget, inspection: InspectionOrderHead?, fallbackCodes: (String, String),
                                 status: String, info: String, time: Date) -> (type: String, bytes: [UInt8]) {
        let ecp = inspection?.inspEcpCode ?? String(fallbackCodes.0.prefix(20))
        let cbe = inspection?.inspCbeCode ?? String(fallbackCodes.1.prefix(20))
        return ("INSPRET", message("InspReturn", document: "InspReturn", fields: [
            ("guid", target.guid), ("inspOrgCode", inspection?.inspOrgCode ?? "000000"), ("inspEcpCode", ecp.isEmpty ? "NONE" : ecp),
            ("inspCbeCode", cbe.isEmpty ? "NONE" : cbe), ("orderNo", target.orderNo), ("copNo", target.copNo),
            ("returnStatus", status), ("returnTime", returnTime(time)), ("returnInfo", info),
        ]))
    }

    /// A `PayExReturnMessage` answering payment data (CEB411 payment, CEB403 receipt of payment,
    /// real-time payment data), or nil for other documents.
    static func paymentAnswer(for document: CEBDocument, status: String, info: String, time: Date) -> (type: String, bytes: [UInt8])? {
        let fields: (guid: String, payCode: String?, payTransactionId: String?, orderNo: String)
        switch document {
        case .payment(let p):
            fields = (p.head.guid, p.head.payCode, p.head.payTransactionId, p.head.orderNo)
        case .paymentReceipt(let r):
            fields = (r.guid, r.payCode, r.payNo, r.orderNo)
        case .paymentExchangeInfo(let x):
            fields = (x.head.guid, x.head.payCode, x.head.payTransactionId, x.lines.first?.orderNo ?? "")
        default:
            return nil
        }
        return ("PAYEXRET", message("PayExReturn", document: "PayExReturn", fields: [
            ("guid", fields.guid), ("payCode", fields.payCode), ("payTransactionId", fields.payTransactionId),
            ("orderNo", fields.orderNo), ("returnStatus", status), ("returnTime", returnTime(time)), ("returnInfo", info),
        ]))
    }
}
