import CEBModel
import Foundation

/// Writes the CEB701 summary application messages of one declaration a summary run formed,
/// through the one CEB writer (``CEBJSONRenderer``), so element order and types are the schema's.
///
/// One application (one copNo) per declaration: customs forms the declaration from the listed
/// inventories, so listing exactly the inventories of one ``SummaryDeclarationKey`` makes customs'
/// declaration the one the run predicted. A long list is split over several messages of at most
/// `maxInventoriesPerMessage` inventories, numbered `msgSeqNo` 1…`msgCount` (consecutive, as the
/// standard asks). `summaryFlag` 2 (by shipper and producer/seller, the rule's grouping) and
/// `itemNameFlag` 0 (lines by HS code, not by the inventories' goods names) — see schemas/README.md.
public enum SummaryApplicationWriter {
    /// Who the application is from and to, taken from the declaration's first inventory.
    public struct Parties: Sendable, Hashable {
        public var customsCode: String
        public var agentCode: String
        public var agentName: String
        public var ebcCode: String
        public var ebcName: String
        public var loctNo: String?
        public var baseTransfer: BaseTransfer?

        public init(_ head: ExportInventoryHead, baseTransfer: BaseTransfer?) {
            customsCode = head.customsCode
            agentCode = head.agentCode
            agentName = head.agentName
            ebcCode = head.ebcCode
            ebcName = head.ebcName
            loctNo = (head.loctNo?.isEmpty ?? true) ? nil : head.loctNo
            self.baseTransfer = baseTransfer
        }
    }

    /// One message of an application.
    public struct Part: Sendable {
        public var guid: String
        public var msgSeqNo: Int
        public var invtNos: [String]
        public var bytes: [UInt8]
    }

    /// The messages of the application `copNo` listing `invtNos`.
    public static func messages(copNo: String, invtNos: [String], parties: Parties, maxInventoriesPerMessage: Int,
                                at date: Date) throws(SummaryError) -> [Part] {
        let size = max(1, maxInventoriesPerMessage)
        let chunks = stride(from: 0, to: invtNos.count, by: size).map { Array(invtNos[$0..<min($0 + size, invtNos.count)]) }
        var parts: [Part] = []
        for (index, chunk) in chunks.enumerated() {
            let guid = UUID().uuidString
            let json = document(guid: guid, copNo: copNo, invtNos: chunk, parties: parties, count: chunks.count, seq: index + 1, at: date)
            do {
                parts.append(Part(guid: guid, msgSeqNo: index + 1, invtNos: chunk, bytes: try CEBJSONRenderer.render(json)))
            } catch {
                throw .unwritable(error.description)
            }
        }
        return parts
    }

    static func document(guid: String, copNo: String, invtNos: [String], parties p: Parties, count: Int, seq: Int,
                         at date: Date) -> JSONValue {
        var head: [(key: String, value: JSONValue)] = [
            ("guid", .string(guid)), ("appType", .string("1")), ("appTime", .string(ChinaTime.cebTime(date, milliseconds: false))),
            ("appStatus", .string("2")), ("customsCode", .string(p.customsCode)), ("copNo", .string(copNo)),
            ("agentCode", .string(p.agentCode)), ("agentName", .string(p.agentName)), ("ebcCode", .string(p.ebcCode)),
            ("ebcName", .string(p.ebcName)), ("declAgentCode", .string(p.agentCode)), ("declAgentName", .string(p.agentName)),
        ]
        if let loctNo = p.loctNo { head.append(("loctNo", .string(loctNo))) }
        head += [("summaryFlag", .string("2")), ("itemNameFlag", .string("0")),
                 ("msgCount", .number(String(count))), ("msgSeqNo", .number(String(seq)))]
        // The sender of the inventories sends their summary: the same BaseTransfer, else the agent's.
        let t = p.baseTransfer
        let base: [(key: String, value: JSONValue)] = [
            ("copCode", .string(t?.copCode ?? p.agentCode)), ("copName", .string(t?.copName ?? p.agentName)),
            ("dxpMode", .string(t?.dxpMode ?? "DXP")), ("dxpId", .string(t?.dxpId ?? "")),
        ]
        return .object([
            ("messageType", .string("CEB701")), ("guid", .string(guid)),
            ("SummaryApplyHead", .object(head)),
            ("SummaryApplyList", .array(invtNos.map { .object([("invtNo", .string($0))]) })),
            ("BaseTransfer", .object(base)),
        ])
    }
}
