import CEBModel
import Foundation

/// Builds customs receipt messages (CEB312/412/512/622) in the layout of the standard.
enum ReceiptBuilder {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `yyyyMMddHHmmssSSS` in China Standard Time.
    static func returnTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "yyyyMMddHHmmssSSS"
        return formatter.string(from: date)
    }

    static func message(_ number: String, document: String, fields: [(String, String?)], copCode: String, copName: String) -> [UInt8] {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:\(number)Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <ceb:\(document)>

            """
        for (name, value) in fields {
            guard let value, !value.isEmpty else { continue }
            xml += "    <ceb:\(name)>\(escape(value))</ceb:\(name)>\n"
        }
        xml += """
              </ceb:\(document)>
              <ceb:BaseTransfer>
                <ceb:copCode>\(escape(copCode))</ceb:copCode>
                <ceb:copName>\(escape(copName))</ceb:copName>
                <ceb:dxpMode>DXP</ceb:dxpMode>
                <ceb:dxpId>DXPEDCCEB0000001</ceb:dxpId>
              </ceb:BaseTransfer>
            </ceb:\(number)Message>

            """
        return Array(xml.utf8)
    }

    /// The receipt answering `document` with `status`, or nil for documents customs does not answer.
    static func receipt(for document: CEBDocument, status: String, info: String, time: Date, customsCode: String) -> (type: String, bytes: [UInt8])? {
        let t = returnTime(time)
        switch document {
        case .order(let o):
            return ("CEB312", message("CEB312", document: "OrderReturn", fields: [
                ("guid", o.head.guid), ("ebpCode", o.head.ebpCode), ("ebcCode", o.head.ebcCode), ("orderNo", o.head.orderNo),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ], copCode: o.head.ebpCode, copName: o.head.ebpName))
        case .payment(let p):
            return ("CEB412", message("CEB412", document: "PaymentReturn", fields: [
                ("guid", p.head.guid), ("payCode", p.head.payCode), ("payTransactionId", p.head.payTransactionId),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ], copCode: p.head.payCode, copName: p.head.payName))
        case .logistics(let l):
            return ("CEB512", message("CEB512", document: "LogisticsReturn", fields: [
                ("guid", l.head.guid), ("logisticsCode", l.head.logisticsCode), ("logisticsNo", l.head.logisticsNo),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ], copCode: l.head.logisticsCode, copName: l.head.logisticsName))
        case .inventory(let i):
            let h = i.head
            let preNo = (h.preNo?.isEmpty ?? true) ? "B" + String(h.guid.filter(\.isNumber).prefix(17)).padding(toLength: 17, withPad: "0", startingAt: 0) : h.preNo!
            let invtNo: String? = ["800", "899", "500", "120", "300"].contains(status)
                ? ((h.invtNo?.isEmpty ?? true) ? (h.customsCode.isEmpty ? customsCode : h.customsCode) + "2026I" + String(h.guid.filter(\.isNumber).prefix(9)) : h.invtNo)
                : h.invtNo
            return ("CEB622", message("CEB622", document: "InventoryReturn", fields: [
                ("guid", h.guid), ("customsCode", h.customsCode.isEmpty ? customsCode : h.customsCode), ("ebpCode", h.ebpCode),
                ("ebcCode", h.ebcCode), ("agentCode", h.agentCode), ("copNo", h.copNo ?? ""), ("preNo", preNo), ("invtNo", invtNo),
                ("returnStatus", status), ("returnTime", t), ("returnInfo", info),
            ], copCode: h.agentCode, copName: h.agentName))
        default:
            return nil
        }
    }
}
