import Foundation

/// One receipt: a customs receipt (`OrderReturn`, `PaymentReturn`, `LogisticsReturn`,
/// `InventoryReturn`…) or the answer of another authority (inspection, payment/FX).
///
/// The receipt's carrier message must already be stored (ingest it first, usually with no
/// declarations). Identity: the same (`forKind`, `referenceGuid`, `returnStatus`, `returnTime`)
/// is stored once. The store links the receipt to a declaration of one of ``matchKinds`` by
/// `referenceGuid` (the answer echoes the declared head's guid) or else by the business numbers.
///
/// Only a receipt whose ``forKind`` is the linked declaration's own kind (a customs receipt)
/// sets that declaration's status; an authority's answer (``forKind`` naming the authority,
/// e.g. `inspection`) is linked, stored and put on the timeline but never changes the status.
public struct ReceiptRecord: Sendable, Hashable {
    /// Envelope guid of the receipt message (e.g. a CEB622).
    public var messageGuid: String
    /// Kind of the declaration the receipt answers (customs receipts), or the answering
    /// authority (`inspection`, `payment-forex`) for answers that do not set a status.
    public var forKind: DeclarationKind
    /// Declaration kinds the receipt may be linked to, most preferred first; `[forKind]` by default.
    public var matchKinds: [DeclarationKind]
    /// The receipt's `guid`: the guid of the declared head it answers.
    public var referenceGuid: String
    /// `returnStatus`, e.g. `"120"`, `"800"`, `"100"`, `"-301010"`.
    public var returnStatus: String
    /// `returnTime` exactly as sent (`yyyyMMddHHmmssSSS`).
    public var returnTime: String
    public var returnInfo: String?
    public var orderNo: String?
    public var logisticsNo: String?
    public var invtNo: String?
    public var copNo: String?
    public var preNo: String?
    public var payTransactionId: String?
    public var ebpCode: String?
    public var ebcCode: String?
    public var logisticsCode: String?
    public var agentCode: String?
    public var customsCode: String?
    /// The destinations the answering authority stands behind (from the routing table): the
    /// receipt is linked only to a declaration whose message was queued for one of them. Nil for
    /// receipts taken without a channel to judge by (a local import by an operator).
    public var routedTo: [String]?
    /// What a CEB792 summary result says about the inventories it lists (nil for other receipts).
    public var summaryResult: SummaryResultFacts?

    public init(
        messageGuid: String, forKind: DeclarationKind, referenceGuid: String, returnStatus: String,
        returnTime: String, returnInfo: String? = nil, orderNo: String? = nil,
        logisticsNo: String? = nil, invtNo: String? = nil, copNo: String? = nil, preNo: String? = nil,
        payTransactionId: String? = nil, ebpCode: String? = nil, ebcCode: String? = nil,
        logisticsCode: String? = nil, agentCode: String? = nil, customsCode: String? = nil,
        matchKinds: [DeclarationKind]? = nil, routedTo: [String]? = nil, summaryResult: SummaryResultFacts? = nil
    ) {
        self.messageGuid = messageGuid
        self.forKind = forKind
        self.matchKinds = matchKinds ?? [forKind]
        self.referenceGuid = referenceGuid
        self.returnStatus = returnStatus
        self.returnTime = returnTime
        self.returnInfo = returnInfo
        self.orderNo = orderNo
        self.logisticsNo = logisticsNo
        self.invtNo = invtNo
        self.copNo = copNo
        self.preNo = preNo
        self.payTransactionId = payTransactionId
        self.ebpCode = ebpCode
        self.ebcCode = ebcCode
        self.logisticsCode = logisticsCode
        self.agentCode = agentCode
        self.customsCode = customsCode
        self.routedTo = routedTo
        self.summaryResult = summaryResult
    }
}

/// What ``Store/storeReceipts(_:)`` did with one receipt.
public struct ReceiptOutcome: Sendable, Hashable {
    /// Row id in `receipts` (the existing row for a duplicate).
    public var receiptId: Int64
    /// The declaration the receipt was linked to, if one was found.
    public var declarationId: Int64?
    /// `false` when the same receipt was already stored.
    public var inserted: Bool
}
