import CEBModel
import ClearanceRouting
import ClearanceStore
import Foundation

/// What the simulated customs remembers of the export side, to answer later notices: the export
/// inventories it released (by the invtNo it gave and by parcel), and the parts of each summary
/// application received so far.
final class ExportCustomsMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var inventories: [String: ExportInventory] = [:]
    private var invtNoByParcel: [String: [String]] = [:]
    private var summaryParts: [String: [Int: SummaryApplication]] = [:]

    /// Remembers a released inventory under the invtNo customs gave it.
    func released(_ inventory: ExportInventory, invtNo: String) {
        lock.withLock {
            if inventories.updateValue(inventory, forKey: invtNo) == nil {
                invtNoByParcel[inventory.head.logisticsNo, default: []].append(invtNo)
            }
        }
    }

    /// The released inventories of these parcels, with their invtNos.
    func inventories(parcels: [String]) -> [(invtNo: String, inventory: ExportInventory)] {
        lock.withLock {
            parcels.flatMap { parcel in (invtNoByParcel[parcel] ?? []).compactMap { no in inventories[no].map { (no, $0) } } }
        }
    }

    /// The released inventories with these invtNos (unknown ones left out).
    func inventories(invtNos: [String]) -> [(invtNo: String, inventory: ExportInventory)] {
        lock.withLock { invtNos.compactMap { no in inventories[no].map { (no, $0) } } }
    }

    /// Adds one part of an application; returns every part once all `msgCount` are in (then forgets them).
    func summaryPart(_ part: SummaryApplication) -> [SummaryApplication]? {
        lock.withLock {
            let copNo = part.head.copNo
            summaryParts[copNo, default: [:]][part.head.msgSeqNo] = part
            guard let parts = summaryParts[copNo], parts.count >= max(1, part.head.msgCount) else { return nil }
            summaryParts[copNo] = nil
            return parts.keys.sorted().map { parts[$0]! }
        }
    }
}

/// Customs' CEB792 summary results for a complete application: the listed inventories grouped by
/// the summary rule (the same ``SummaryPlanner`` the enterprise side uses, as customs applies
/// the published rule), one result per declaration with an 18-digit `entryId`.
enum SummaryResultBuilder {
    static func results(for parts: [SummaryApplication], memory: ExportCustomsMemory, time: Date, customsCode: String) -> [(type: String, bytes: [UInt8])] {
        guard let head = parts.first?.head else { return [] }
        let listed = memory.inventories(invtNos: parts.flatMap { $0.lines.map(\.invtNo) })
        let candidates = listed.enumerated().map { index, entry in
            SummaryCandidate(standing: ExportInventoryStanding(
                declarationId: Int64(index), declarationGuid: entry.inventory.head.guid, messageGuid: "", status: .cleared,
                copNo: entry.inventory.head.copNo, invtNo: entry.invtNo), inventory: entry.inventory)
        }
        guard let period = listed.first.flatMap({ SummaryPeriod.of(cebDate: $0.inventory.head.ieDate) }),
              let plan = try? SummaryPlanner.plan(candidates, ebcCode: head.ebcCode, period: period) else { return [] }
        let sumNo = ReceiptBuilder.sumNo(copNo: head.copNo, customsCode: head.customsCode)
        let byInvtNo = Dictionary(listed.map { ($0.invtNo, $0.inventory) }, uniquingKeysWith: { a, _ in a })
        return plan.declarations.enumerated().map { index, declaration in
            var hasher = StableHash()
            hasher.add(head.copNo + "#\(index)")
            let seq = String(format: "%09llu", hasher.value % 1_000_000_000)
            let customs = head.customsCode.isEmpty ? customsCode : head.customsCode
            let entryId = customs + "2026" + "1" + seq
            let declSeqNo = "D" + String((customs + "2026" + seq).prefix(17)).padding(toLength: 17, withPad: "0", startingAt: 0)
            var gross = CEBDecimal.zero
            var net = CEBDecimal.zero
            var lines: [String] = []
            for inventory in declaration.inventories {
                guard let document = byInvtNo[inventory.invtNo] else { continue }
                gross = gross &+ document.head.grossWeight
                net = net &+ document.head.netWeight
                for line in document.lines {
                    let key = SummaryLineKey(country: line.country, gcode: line.gcode, currency: line.currency)
                    let gseqno = (declaration.lines.firstIndex { $0.key == key } ?? 0) + 1
                    lines.append(record("SummaryResultList", [
                        ("invtNo", inventory.invtNo), ("logisticsNo", inventory.logisticsNo), ("gseqno", String(gseqno)),
                        ("gnum", String(line.gnum)), ("gcode", line.gcode)]))
                }
            }
            let headXML = record("SummaryResultHead", [
                ("guid", UUID().uuidString), ("customsCode", customs), ("sumNo", sumNo), ("opDate", ReceiptBuilder.returnTime(time)),
                ("declSeqNo", declSeqNo), ("entryId", entryId), ("decState", "1"), ("agentCode", head.agentCode),
                ("agentName", head.agentName), ("ebcCode", head.ebcCode), ("ebcName", head.ebcName),
                ("declAgentCode", head.declAgentCode), ("declAgentName", head.declAgentName),
                ("grossWeight", gross.description), ("netWeight", net.description), ("msgCount", "1"), ("msgSeqNo", "1")])
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <ceb:CEB792Message guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <ceb:SummaryResult>
                \(headXML)\(lines.joined())  </ceb:SummaryResult>
                </ceb:CEB792Message>

                """
            return ("CEB792", Array(xml.utf8))
        }
    }

    private static func record(_ element: String, _ fields: [(String, String)]) -> String {
        "    <ceb:\(element)>\n" + fields.map { "      <ceb:\($0)>\(XMLText.escape($1, attribute: false))</ceb:\($0)>\n" }.joined() + "    </ceb:\(element)>\n"
    }
}
