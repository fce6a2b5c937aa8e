import CEBModel
import ClearanceStore

extension DeclarationMapper {
    /// The receipt a document is, or nil when it is not a receipt the store links to declarations.
    ///
    /// The receipt's `guid` echoes the declared head's guid (``ReceiptRecord/referenceGuid``). A
    /// CEB900 format-error receipt answers a whole message: its reference is `oriCopMsgId` and
    /// its kind follows `oriMessageType`. The inspection answer (`InspReturn`) is linked to the
    /// inventory or order carrying the inspection declaration, the payment/FX answer
    /// (`PayExReturn`) to the payment or export receipt of payment; neither sets their status, nor
    /// do customs' tax bill (CEB816) and its status (CEB818), linked to the inventory they tax.
    public static func receipt(_ document: CEBDocument, messageGuid g: String) -> ReceiptRecord? {
        switch document {
        case .orderReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .order, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, orderNo: r.orderNo, ebpCode: r.ebpCode,
                                 ebcCode: r.ebcCode)
        case .paymentReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .payment, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, payTransactionId: r.payTransactionId)
        case .logisticsReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .logistics, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, logisticsNo: r.logisticsNo,
                                 logisticsCode: r.logisticsCode)
        case .inventoryReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .inventory, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, invtNo: nonEmpty(r.invtNo), copNo: r.copNo,
                                 preNo: r.preNo, ebpCode: r.ebpCode, ebcCode: r.ebcCode, agentCode: r.agentCode,
                                 customsCode: r.customsCode)
        case .inventoryCancelReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .inventoryCancel, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, invtNo: nonEmpty(r.invtNo), copNo: r.copNo,
                                 preNo: r.preNo, ebpCode: r.ebpCode, ebcCode: r.ebcCode, agentCode: r.agentCode,
                                 customsCode: r.customsCode)
        case .inventoryRefundReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .inventoryRefund, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, invtNo: nonEmpty(r.invtNo), copNo: r.copNo,
                                 preNo: r.preNo, ebpCode: r.ebpCode, ebcCode: r.ebcCode, agentCode: r.agentCode,
                                 customsCode: r.customsCode)
        case .exportOrderReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportOrder, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, orderNo: r.orderNo, ebpCode: r.ebpCode,
                                 ebcCode: r.ebcCode)
        case .paymentReceiptReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportPayment, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, orderNo: r.orderNo,
                                 payTransactionId: nonEmpty(r.payNo), ebcCode: r.ebcCode)
        case .exportLogisticsReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportLogistics, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, logisticsNo: r.logisticsNo,
                                 logisticsCode: r.logisticsCode)
        case .exportInventoryReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportInventory, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, orderNo: r.orderNo, invtNo: r.invtNo,
                                 copNo: r.copNo, preNo: r.preNo, ebpCode: r.ebpCode, ebcCode: r.ebcCode, agentCode: r.agentCode)
        case .exportInventoryCancelReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportInventoryCancel, referenceGuid: r.guid,
                                 returnStatus: r.returnStatus, returnTime: r.returnTime, returnInfo: r.returnInfo,
                                 invtNo: r.invtNo, copNo: r.copNo, preNo: r.preNo, agentCode: r.agentCode)
        case .wayBillReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .manifest, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, copNo: r.copNo, preNo: r.preNo,
                                 logisticsCode: r.logisticsCode, agentCode: r.agentCode)
        case .exportReturnApplicationReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportReturn, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, invtNo: nonEmpty(r.invtNo),
                                 copNo: nonEmpty(r.coElNo), preNo: nonEmpty(r.preNo), ebpCode: nonEmpty(r.ebpCode),
                                 ebcCode: nonEmpty(r.ebcCode), agentCode: nonEmpty(r.agentCode))
        case .exportReturnDetailReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .exportReturnTally, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, logisticsNo: nonEmpty(r.logisticsNo),
                                 copNo: nonEmpty(r.coElNo), preNo: nonEmpty(r.preNo), logisticsCode: nonEmpty(r.logisticsCode))
        case .inspectionReturn(let r):
            // The inspection declaration rides in the inventory (or order) that carried its InspOrder.
            return ReceiptRecord(messageGuid: g, forKind: .inspection, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, orderNo: nonEmpty(r.orderNo),
                                 copNo: nonEmpty(r.copNo), matchKinds: [.inventory, .order])
        case .paymentExchangeReturn(let r):
            return ReceiptRecord(messageGuid: g, forKind: .paymentForex, referenceGuid: r.guid, returnStatus: r.returnStatus,
                                 returnTime: r.returnTime, returnInfo: r.returnInfo, orderNo: nonEmpty(r.orderNo),
                                 payTransactionId: nonEmpty(r.payTransactionId), matchKinds: [.payment, .exportPayment])
        case .taxBill(let t):
            // Customs' tax bill quotes its own guid and the invtNo customs gave the inventory; its
            // amounts are compared with the inventory's declared tax by the receipt processor.
            return ReceiptRecord(messageGuid: g, forKind: .taxBill, referenceGuid: t.head.guid, returnStatus: t.head.status,
                                 returnTime: t.head.returnTime, returnInfo: "taxNo \(t.head.taxNo)", invtNo: nonEmpty(t.head.invtNo),
                                 ebcCode: nonEmpty(t.head.ebcCode), logisticsCode: nonEmpty(t.head.logisticsCode),
                                 agentCode: nonEmpty(t.head.agentCode), customsCode: nonEmpty(t.head.customsCode),
                                 matchKinds: [.inventory])
        case .taxStatus(let t):
            return ReceiptRecord(messageGuid: g, forKind: .taxBillStatus, referenceGuid: t.head.guid, returnStatus: t.head.status,
                                 returnTime: t.head.returnTime, returnInfo: "taxNo \(t.head.taxNo)", invtNo: nonEmpty(t.head.invtNo),
                                 matchKinds: [.inventory])
        case .formatErrorReceipt(let r):
            return ReceiptRecord(messageGuid: g, forKind: kind(ofMessageType: r.oriMessageType), referenceGuid: r.oriCopMsgId,
                                 returnStatus: r.returnStatus, returnTime: r.returnTime, returnInfo: r.returnInfo)
        default:
            return exportClearanceReceipt(document, messageGuid: g) ?? warehouseEntryReceipt(document, messageGuid: g)
        }
    }

    /// The declaration kind a message type carries (`CEB621` → inventory); unknown types keep their name.
    public static func kind(ofMessageType type: String) -> DeclarationKind {
        switch type.uppercased() {
        case "CEB311": .order
        case "CEB411": .payment
        case "CEB511": .logistics
        case "CEB621": .inventory
        case "CEB623": .inventoryCancel
        case "CEB625": .inventoryRefund
        case "CEB303": .exportOrder
        case "CEB403": .exportPayment
        case "CEB505": .exportLogistics
        case "CEB603": .exportInventory
        case "CEB605": .exportInventoryCancel
        case "CEB607": .manifest
        case "CEB213": .exportReturn
        case "CEB215": .exportReturnTally
        case "CEB507": .arrival
        case "CEB509": .departure
        case "CEB701": .summaryApplication
        case "CEB711": .warehouseEntry
        default: DeclarationKind(rawValue: type)
        }
    }
}
