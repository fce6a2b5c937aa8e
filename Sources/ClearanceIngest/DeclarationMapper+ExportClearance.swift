import CEBModel
import ClearanceStore

/// The export documents after release (清单核放、汇总申报): the arrival (CEB507) and departure
/// (CEB509) notices, which name parcels by logisticsNo, and the summary application (CEB701), which
/// names cleared inventories by invtNo. Their lines carry those numbers in `itemNo`, as the CEB607
/// manifest's do, so the store can find the inventories a notice or application covers.
extension DeclarationMapper {
    static func arrival(_ a: Arrival, _ g: String) -> DeclarationRecord {
        let h = a.head
        return notice(.arrival, g, guid: h.guid, appType: h.appType, appTime: h.appTime, copNo: h.copNo, preNo: h.preNo,
                      billNo: h.billNo, logisticsCode: h.logisticsCode, operatorCode: h.operatorCode, customsCode: h.customsCode,
                      part: (h.msgCount, h.msgSeqNo), parcels: a.lines.map { ($0.gnum, $0.logisticsNo) })
    }

    static func departure(_ d: Departure, _ g: String) -> DeclarationRecord {
        let h = d.head
        return notice(.departure, g, guid: h.guid, appType: h.appType, appTime: h.appTime, copNo: h.copNo, preNo: h.preNo,
                      billNo: h.billNo, logisticsCode: h.logisticsCode, operatorCode: nil, customsCode: h.customsCode,
                      part: (h.msgCount, h.msgSeqNo), parcels: d.lines.map { ($0.gnum, $0.logisticsNo) })
    }

    /// An arrival or departure notice, or a warehouse entry list: the parcels it lists (gnum, logisticsNo), one part of `msgCount`.
    static func notice(
        _ kind: DeclarationKind, _ g: String, guid: String, appType: String, appTime: String, copNo: String, preNo: String?,
        billNo: String?, logisticsCode: String, operatorCode: String?, customsCode: String, part: (count: Int, seq: Int),
        parcels: [(gnum: Int, logisticsNo: String)], ieFlag: String = "E"
    ) -> DeclarationRecord {
        var record = DeclarationRecord(
            kind: kind, messageGuid: g, declarationGuid: guid, appType: appType, appTime: ChinaTime.date(cebTime: appTime),
            copNo: nonEmpty(copNo), preNo: nonEmpty(preNo), billNo: nonEmpty(billNo), logisticsCode: nonEmpty(logisticsCode),
            agentCode: nonEmpty(operatorCode), customsCode: customsCode, ieFlag: ieFlag,
            lines: parcels.map { DeclarationLineRecord(gnum: $0.gnum, itemNo: $0.logisticsNo) })
        record.partNo = part.count > 1 ? part.seq : nil
        return record
    }

    /// CEB701: one part of a summary application; the parts of a split application share the
    /// copNo and differ by `msgSeqNo` (``DeclarationRecord/partNo``).
    static func summaryApplication(_ a: SummaryApplication, _ g: String) -> DeclarationRecord {
        let h = a.head
        var record = DeclarationRecord(
            kind: .summaryApplication, messageGuid: g, declarationGuid: h.guid, appType: h.appType,
            appTime: ChinaTime.date(cebTime: h.appTime), copNo: nonEmpty(h.copNo), preNo: nonEmpty(h.preNo),
            ebcCode: nonEmpty(h.ebcCode), agentCode: nonEmpty(h.agentCode), customsCode: h.customsCode, ieFlag: "E",
            lines: a.lines.enumerated().map { DeclarationLineRecord(gnum: $0.offset + 1, itemNo: $0.element.invtNo) })
        record.partNo = h.msgCount > 1 ? h.msgSeqNo : nil
        return record
    }

    /// The receipts of the export clearance documents (CEB508, CEB510, CEB702) and the CEB792
    /// summary result, or nil for another document.
    static func exportClearanceReceipt(_ document: CEBDocument, messageGuid g: String) -> ReceiptRecord? {
        switch document {
        case .arrivalReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .arrival, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, copNo: nonEmpty(r.copNo), preNo: nonEmpty(r.preNo),
                                 logisticsCode: nonEmpty(r.logisticsCode))
        case .departureReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .departure, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, copNo: nonEmpty(r.copNo), preNo: nonEmpty(r.preNo),
                                 logisticsCode: nonEmpty(r.logisticsCode))
        case .summaryApplicationReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .summaryApplication, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, copNo: nonEmpty(r.copNo), preNo: nonEmpty(r.preNo),
                                 ebcCode: nonEmpty(r.ebcCode), agentCode: nonEmpty(r.agentCode))
        case .summaryResult(let result):
            // Customs' own document: its guid is customs', its "status" the declaration's state and
            // its time the summary's processing time; the store links it through the inventories it lists.
            let h = result.head
            let facts = SummaryResultFacts(
                sumNo: h.sumNo, declSeqNo: h.declSeqNo, entryId: nonEmpty(h.entryId), decState: h.decState,
                ebcCode: h.ebcCode, invtNos: result.lines.map(\.invtNo))
            return ReceiptRecord(messageGuid: g, forKind: .summaryResult, referenceGuid: h.guid, returnStatus: h.decState,
                                 returnTime: h.opDate, returnInfo: nonEmpty(h.entryId).map { "entryId \($0)" },
                                 ebcCode: nonEmpty(h.ebcCode), agentCode: nonEmpty(h.agentCode), customsCode: h.customsCode,
                                 matchKinds: [.summaryApplication], summaryResult: facts)
        default:
            return nil
        }
    }
}
