import Foundation

/// The kind of business document a declaration row holds. Open set: unknown kinds are stored as given.
public struct DeclarationKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// CEB311 import order.
    public static let order = DeclarationKind(rawValue: "order")
    /// CEB411 payment.
    public static let payment = DeclarationKind(rawValue: "payment")
    /// CEB511 waybill.
    public static let logistics = DeclarationKind(rawValue: "logistics")
    /// CEB621 import inventory.
    public static let inventory = DeclarationKind(rawValue: "inventory")
    /// CEB623 inventory cancel.
    public static let inventoryCancel = DeclarationKind(rawValue: "inventory-cancel")
    /// CEB625 import return (refund) application.
    public static let inventoryRefund = DeclarationKind(rawValue: "inventory-refund")
    /// CEB605 export inventory cancellation.
    public static let exportInventoryCancel = DeclarationKind(rawValue: "export-inventory-cancel")
    /// CEB213 export return application (goods of an export inventory coming back; 202205 edition).
    public static let exportReturn = DeclarationKind(rawValue: "export-return")
    /// CEB215 export return tally details (the returned parcels counted on arrival; 202205 edition).
    public static let exportReturnTally = DeclarationKind(rawValue: "export-return-tally")
    /// CEB303 export order.
    public static let exportOrder = DeclarationKind(rawValue: "export-order")
    /// CEB403 receipt of payment.
    public static let exportPayment = DeclarationKind(rawValue: "export-payment")
    /// CEB505 export waybill.
    public static let exportLogistics = DeclarationKind(rawValue: "export-logistics")
    /// CEB603 export inventory.
    public static let exportInventory = DeclarationKind(rawValue: "export-inventory")
    /// CEB607 consolidated waybill manifest.
    public static let manifest = DeclarationKind(rawValue: "manifest")
    /// CEB507 arrival notice (运抵单): the parcels (by logisticsNo) that reached the supervised place.
    public static let arrival = DeclarationKind(rawValue: "arrival")
    /// CEB509 departure notice (离境单): the parcels (by logisticsNo) that left the country.
    public static let departure = DeclarationKind(rawValue: "departure")
    /// CEB701 summary application (汇总申请单): the cleared export inventories (by invtNo) an
    /// enterprise asks customs to summarise into export declarations.
    public static let summaryApplication = DeclarationKind(rawValue: "summary-application")
    /// CEB792 summary result (汇总结果单), customs' answer to a summary application: a receipt-like
    /// record linked to the application, never a declaration of its own.
    public static let summaryResult = DeclarationKind(rawValue: "summary-result")
    /// CEB711 warehouse entry list (入库明细单): the import parcels a logistics company put into the
    /// supervised warehouse; its lines' `itemNo` hold the waybills' logisticsNos. Answered by CEB712.
    public static let warehouseEntry = DeclarationKind(rawValue: "warehouse-entry")
}

/// One goods line of a declaration (`OrderList`, `InventoryList`, `WayBillList`…).
///
/// Identity within its declaration is ``gnum`` (1-based line number).
public struct DeclarationLineRecord: Sendable, Hashable {
    public var gnum: Int
    public var itemNo: String?
    public var itemName: String?
    /// 10-digit HS code.
    public var gcode: String?
    public var qty: FixedDecimal?
    /// Customs unit code, e.g. `"011"`.
    public var unit: String?
    public var price: FixedDecimal?
    public var totalPrice: FixedDecimal?
    /// Customs currency code, e.g. `"142"`.
    public var currency: String?
    /// Customs country code, e.g. `"116"`.
    public var country: String?

    public init(
        gnum: Int, itemNo: String? = nil, itemName: String? = nil, gcode: String? = nil,
        qty: FixedDecimal? = nil, unit: String? = nil, price: FixedDecimal? = nil,
        totalPrice: FixedDecimal? = nil, currency: String? = nil, country: String? = nil
    ) {
        self.gnum = gnum
        self.itemNo = itemNo
        self.itemName = itemName
        self.gcode = gcode
        self.qty = qty
        self.unit = unit
        self.price = price
        self.totalPrice = totalPrice
        self.currency = currency
        self.country = country
    }
}

/// A declaration head (order, payment, waybill, inventory, export document, manifest bill)
/// with the fields operations and rules need, plus its lines.
///
/// The raw buyer ID number is accepted here but never stored: the store keeps only a salted
/// hash (for matching the same buyer across documents) and a masked display form. The buyer's
/// telephone is stored masked only.
///
/// Identity (see ``businessKey``): within one sender and kind, the same business number with
/// `appType` 1 (or none) is one declaration; a modify/delete (`appType` 2/3) is kept as its own
/// revision keyed additionally by ``declarationGuid``.
public struct DeclarationRecord: Sendable, Hashable {
    public var kind: DeclarationKind
    /// Envelope guid of the message that carried this declaration (must be in the same ingest item).
    public var messageGuid: String
    /// The head's own `guid`.
    public var declarationGuid: String
    /// `appType`: 1 new, 2 modify, 3 delete.
    public var appType: String?
    /// `appTime` when known.
    public var appTime: Date?
    public var orderNo: String?
    public var logisticsNo: String?
    public var invtNo: String?
    public var copNo: String?
    public var preNo: String?
    public var payTransactionId: String?
    public var billNo: String?
    public var ebpCode: String?
    public var ebcCode: String?
    public var logisticsCode: String?
    public var agentCode: String?
    public var payCode: String?
    public var customsCode: String?
    public var portCode: String?
    public var tradeMode: String?
    /// `I` or `E`.
    public var ieFlag: String?
    public var buyerIdType: String?
    /// Raw buyer (or payer) ID number. Hashed and masked by the store; never persisted.
    public var buyerIdNumber: String?
    public var buyerName: String?
    /// Raw telephone; persisted masked only.
    public var buyerTelephone: String?
    public var goodsValue: FixedDecimal?
    public var freight: FixedDecimal?
    public var taxTotal: FixedDecimal?
    /// `acturalPaid` (sic, as spelled by the standard); for payments, `amountPaid`.
    public var acturalPaid: FixedDecimal?
    public var currency: String?
    /// Processing status (``DeclarationStatus/received`` when stored, later the flow's and the receipts').
    public var status: DeclarationStatus
    public var lines: [DeclarationLineRecord]
    /// `msgSeqNo` of a document split over several messages (CEB701 summary applications): each
    /// part shares the copNo, so the part number is part of its identity (``businessKey``).
    public var partNo: Int?

    public init(
        kind: DeclarationKind, messageGuid: String, declarationGuid: String, appType: String? = nil,
        appTime: Date? = nil, orderNo: String? = nil, logisticsNo: String? = nil, invtNo: String? = nil,
        copNo: String? = nil, preNo: String? = nil, payTransactionId: String? = nil, billNo: String? = nil,
        ebpCode: String? = nil, ebcCode: String? = nil, logisticsCode: String? = nil,
        agentCode: String? = nil, payCode: String? = nil, customsCode: String? = nil,
        portCode: String? = nil, tradeMode: String? = nil, ieFlag: String? = nil,
        buyerIdType: String? = nil, buyerIdNumber: String? = nil, buyerName: String? = nil,
        buyerTelephone: String? = nil, goodsValue: FixedDecimal? = nil, freight: FixedDecimal? = nil,
        taxTotal: FixedDecimal? = nil, acturalPaid: FixedDecimal? = nil, currency: String? = nil,
        status: DeclarationStatus = .received, lines: [DeclarationLineRecord] = []
    ) {
        self.kind = kind
        self.messageGuid = messageGuid
        self.declarationGuid = declarationGuid
        self.appType = appType
        self.appTime = appTime
        self.orderNo = orderNo
        self.logisticsNo = logisticsNo
        self.invtNo = invtNo
        self.copNo = copNo
        self.preNo = preNo
        self.payTransactionId = payTransactionId
        self.billNo = billNo
        self.ebpCode = ebpCode
        self.ebcCode = ebcCode
        self.logisticsCode = logisticsCode
        self.agentCode = agentCode
        self.payCode = payCode
        self.customsCode = customsCode
        self.portCode = portCode
        self.tradeMode = tradeMode
        self.ieFlag = ieFlag
        self.buyerIdType = buyerIdType
        self.buyerIdNumber = buyerIdNumber
        self.buyerName = buyerName
        self.buyerTelephone = buyerTelephone
        self.goodsValue = goodsValue
        self.freight = freight
        self.taxTotal = taxTotal
        self.acturalPaid = acturalPaid
        self.currency = currency
        self.status = status
        self.lines = lines
    }

    /// The business number that identifies this declaration for its sender and kind:
    /// `copNo` when present (`copNo#partNo` for a part of a split document) (inventories, manifests, cancels), otherwise the kind's own number
    /// (payment: `payTransactionId`, waybill: `logisticsNo`, inventory: `invtNo`, order: `orderNo`),
    /// otherwise the first of orderNo / logisticsNo / invtNo / billNo, and finally the head guid.
    public var businessKey: String {
        func present(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }
        if let cop = present(copNo) { return partNo.map { "\(cop)#\($0)" } ?? cop }
        let specific: String?
        switch kind {
        case .payment, .exportPayment: specific = present(payTransactionId) ?? present(orderNo)
        case .logistics, .exportLogistics: specific = present(logisticsNo)
        case .inventory, .exportInventory: specific = present(invtNo) ?? present(orderNo)
        case .order, .exportOrder: specific = present(orderNo)
        default: specific = nil
        }
        return specific ?? present(orderNo) ?? present(logisticsNo) ?? present(invtNo)
            ?? present(billNo) ?? declarationGuid
    }

    /// The uniqueness key stored in `declarations.dedup_key` (unique with kind and sender):
    /// ``businessKey`` for a new declaration; for a modify/delete revision
    /// `"<businessKey>|<appType>|<declarationGuid>"`, so each revision is kept once.
    public var dedupKey: String {
        guard let appType, !appType.isEmpty, appType != "1" else { return businessKey }
        return "\(businessKey)|\(appType)|\(declarationGuid)"
    }
}
