import CEBModel
import Foundation

/// Builds customs' answers on the export side in the layout of the standard: the receipts of
/// the export order, receipt of payment, waybill, inventory, cancellation, consolidated waybill,
/// arrival and departure notices and summary application (CEB304/404/506/604/606/608/508/510/702),
/// each flat and without `BaseTransfer` as customs writes them. Required fields are always written
/// (empty when the declaration had nothing), so every receipt decodes against the official schema.
extension ReceiptBuilder {
    /// A pre-entry number (18 characters) customs would give: `E` and 17 digits of the guid.
    static func preNo(_ guid: String) -> String {
        "E" + String(guid.filter(\.isNumber).prefix(17)).padding(toLength: 17, withPad: "0", startingAt: 0)
    }

    /// The invtNo customs gives an export inventory when released or accepted (its own when it has one).
    static func exportInvtNo(_ h: ExportInventoryHead, customsCode: String) -> String {
        if let own = h.invtNo, !own.isEmpty { return own }
        return (h.customsCode.isEmpty ? customsCode : h.customsCode) + "2026E"
            + String(h.guid.filter(\.isNumber).prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)
    }

    /// The summary application number (18 characters) customs gives an application.
    static func sumNo(copNo: String, customsCode: String) -> String {
        var hasher = StableHash()
        hasher.add(copNo)
        return String((customsCode + "2026S" + String(format: "%012llu", hasher.value % 1_000_000_000_000)).prefix(18))
    }

    /// A flat receipt whose every listed field is written, even empty (required elements must be present).
    static func exportMessage(_ number: String, document: String, fields: [(String, String)]) -> [UInt8] {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:\(number)Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <ceb:\(document)>

            """
        for (name, value) in fields { xml += "    <ceb:\(name)>\(XMLText.escape(value, attribute: false))</ceb:\(name)>\n" }
        xml += "  </ceb:\(document)>\n</ceb:\(number)Message>\n"
        return Array(xml.utf8)
    }

    /// The export receipt answering `document` with `status`, or nil for a document customs does not answer this way.
    static func exportReceipt(for document: CEBDocument, status: String, info: String, time: Date, customsCode: String) -> (type: String, bytes: [UInt8])? {
        let t = returnTime(time)
        let tail = [("returnStatus", status), ("returnTime", t), ("returnInfo", info)]
        switch document {
        case .exportOrder(let o):
            return ("CEB304", exportMessage("CEB304", document: "OrderReturn", fields: [
                ("guid", o.head.guid), ("ebpCode", o.head.ebpCode), ("ebcCode", o.head.ebcCode), ("orderNo", o.head.orderNo)] + tail))
        case .paymentReceipt(let r):
            return ("CEB404", exportMessage("CEB404", document: "ReceiptsReturn", fields: [
                ("guid", r.guid), ("ebcCode", r.ebcCode), ("orderNo", r.orderNo), ("payNo", r.payNo ?? "")] + tail))
        case .exportLogistics(let l):
            return ("CEB506", exportMessage("CEB506", document: "LogisticsReturn", fields: [
                ("guid", l.guid), ("logisticsCode", l.logisticsCode), ("logisticsNo", l.logisticsNo)] + tail))
        case .exportInventory(let i):
            let h = i.head
            let given = ["100", "2"].contains(status) ? (h.invtNo ?? "") : exportInvtNo(h, customsCode: customsCode)
            return ("CEB604", exportMessage("CEB604", document: "InventoryReturn", fields: [
                ("guid", h.guid), ("agentCode", h.agentCode), ("copNo", h.copNo), ("preNo", h.preNo ?? preNo(h.guid)),
                ("invtNo", given), ("ebcCode", h.ebcCode), ("ebpCode", h.ebpCode), ("orderNo", h.orderNo),
                ("statisticsFlag", h.statisticsFlag)] + tail))
        case .exportInventoryCancel(let c):
            return ("CEB606", exportMessage("CEB606", document: "InvtCancelReturn", fields: [
                ("guid", c.guid), ("agentCode", c.agentCode), ("copNo", c.copNo), ("preNo", c.preNo ?? preNo(c.guid)),
                ("invtNo", c.invtNo)] + tail))
        case .wayBill(let w):
            return ("CEB608", exportMessage("CEB608", document: "WayBillReturn", fields: [
                ("guid", w.head.guid), ("agentCode", w.head.agentCode), ("logisticsCode", w.head.logisticsCode), ("copNo", w.head.copNo),
                ("preNo", w.head.preNo ?? preNo(w.head.guid)), ("billNo", w.head.billNo), ("msgSeqNo", String(w.head.msgSeqNo))] + tail))
        case .arrival(let a):
            return ("CEB508", exportMessage("CEB508", document: "ArrivalReturn", fields: [
                ("guid", a.head.guid), ("operatorCode", a.head.operatorCode), ("logisticsCode", a.head.logisticsCode),
                ("preNo", a.head.preNo ?? preNo(a.head.guid)), ("copNo", a.head.copNo), ("billNo", a.head.billNo ?? ""),
                ("msgSeqNo", String(a.head.msgSeqNo))] + tail))
        case .departure(let d):
            return ("CEB510", exportMessage("CEB510", document: "DepartureReturn", fields: [
                ("guid", d.head.guid), ("logisticsCode", d.head.logisticsCode), ("copNo", d.head.copNo),
                ("preNo", d.head.preNo ?? preNo(d.head.guid)), ("msgSeqNo", String(d.head.msgSeqNo))] + tail))
        case .summaryApplication(let a):
            let h = a.head
            var fields = [("guid", h.guid), ("agentCode", h.agentCode), ("ebcCode", h.ebcCode), ("copNo", h.copNo),
                          ("preNo", h.preNo ?? preNo(h.guid))]
            if status != "2", status != "100" { fields.append(("sumNo", sumNo(copNo: h.copNo, customsCode: h.customsCode))) }
            return ("CEB702", exportMessage("CEB702", document: "SummaryReturn", fields: fields + [("msgSeqNo", String(h.msgSeqNo))] + tail))
        default:
            return nil
        }
    }
}

/// FNV-1a over UTF-8: a hash that is the same in every run (Swift's `Hasher` is seeded per process).
struct StableHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }
}
