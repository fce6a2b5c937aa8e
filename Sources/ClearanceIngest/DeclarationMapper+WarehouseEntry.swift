import CEBModel
import ClearanceStore

/// The warehouse entry list (入库明细单, CEB711) and its receipt (CEB712): the import parcels a
/// logistics company put into the supervised warehouse, stored like an arrival notice — one
/// declaration whose lines name the waybills (logisticsNo) — so customs' acceptance can be put on
/// each waybill's timeline.
extension DeclarationMapper {
    static func warehouseEntry(_ d: Delivery, _ g: String) -> DeclarationRecord {
        let h = d.head
        return notice(.warehouseEntry, g, guid: h.guid, appType: h.appType, appTime: h.appTime, copNo: h.copNo ?? "", preNo: h.preNo,
                      billNo: h.billNo, logisticsCode: h.logisticsCode, operatorCode: h.operatorCode, customsCode: h.customsCode,
                      part: (1, 1), parcels: d.lines.map { ($0.gnum, $0.logisticsNo) }, ieFlag: "I")
    }

    /// CEB712, or nil for another document.
    static func warehouseEntryReceipt(_ document: CEBDocument, messageGuid g: String) -> ReceiptRecord? {
        guard case .deliveryReturn(let r) = document else { return nil }
        return ReceiptRecord(messageGuid: g, forKind: .warehouseEntry, referenceGuid: r.guid, returnStatus: r.returnStatus,
                             returnTime: r.returnTime, returnInfo: r.returnInfo, copNo: nonEmpty(r.copNo), preNo: nonEmpty(r.preNo))
    }
}
