import CEBModel
import ClearanceStore
import Foundation

/// What a decoded CEB document becomes in the store.
public enum MappedDocument: Sendable, Hashable {
    /// A declaration the store models (orders, payments, waybills, inventories, cancels,
    /// refunds, export documents, the CEB607 manifest).
    case declaration(DeclarationRecord)
    /// A customs receipt that moves a declaration's status.
    case receipt(ReceiptRecord)
    /// A document the store keeps only as part of its raw message (status notices, tax bills,
    /// warehouse entries…).
    case other
}


/// Maps typed CEB documents to the store's records.
///
/// Amounts keep every digit: `CEBDecimal.units` (10⁻⁵) is exactly `FixedDecimal.scaled`.
/// Every line carries its `gnum` (required by the official schemas). The CEB607 manifest's lines carry a waybill
/// each: `itemNo` holds its `logisticsNo` and `itemName` its `invtNo`.
public enum DeclarationMapper {
    /// Maps `document`, carried by the message `messageGuid`.
    public static func map(_ document: CEBDocument, messageGuid: String) -> MappedDocument {
        let g = messageGuid
        switch document {
        case .order(let o): return .declaration(order(o, g))
        case .payment(let p): return .declaration(payment(p, g))
        case .logistics(let l): return .declaration(logistics(l, g))
        case .inventory(let i): return .declaration(inventory(i, g))
        case .inventoryCancel(let c): return .declaration(inventoryCancel(c, g))
        case .inventoryRefund(let r): return .declaration(inventoryRefund(r, g))
        case .exportOrder(let o): return .declaration(exportOrder(o, g))
        case .paymentReceipt(let p): return .declaration(exportPayment(p, g))
        case .exportLogistics(let l): return .declaration(exportLogistics(l, g))
        case .exportInventory(let i): return .declaration(exportInventory(i, g))
        case .exportInventoryCancel(let c): return .declaration(exportInventoryCancel(c, g))
        case .wayBill(let w): return .declaration(manifest(w, g))
        case .exportReturnApplication(let r): return .declaration(exportReturn(r, g))
        case .exportReturnDetail(let t): return .declaration(exportReturnTally(t, g))
        case .arrival(let a): return .declaration(arrival(a, g))
        case .departure(let d): return .declaration(departure(d, g))
        case .summaryApplication(let a): return .declaration(summaryApplication(a, g))
        case .delivery(let d): return .declaration(warehouseEntry(d, g))
        default: return receipt(document, messageGuid: g).map { .receipt($0) } ?? .other
        }
    }

    /// `CEBDecimal` → `FixedDecimal`, exactly (both count 10⁻⁵ units).
    @inline(__always)
    static func fixed(_ d: CEBDecimal) -> FixedDecimal { FixedDecimal(scaled: d.units) }
    @inline(__always)
    static func fixed(_ d: CEBDecimal?) -> FixedDecimal? { d.map { FixedDecimal(scaled: $0.units) } }
    static func nonEmpty(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }

    // MARK: Import

    static func order(_ o: Order, _ g: String) -> DeclarationRecord {
        let h = o.head
        return DeclarationRecord(
            kind: .order, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: h.orderNo, payTransactionId: nonEmpty(h.payTransactionId), ebpCode: h.ebpCode, ebcCode: h.ebcCode,
            payCode: nonEmpty(h.payCode), ieFlag: "I", buyerIdType: h.buyerIdType, buyerIdNumber: h.buyerIdNumber,
            buyerName: h.buyerName, buyerTelephone: h.buyerTelephone, goodsValue: fixed(h.goodsValue),
            freight: fixed(h.freight), taxTotal: fixed(h.taxTotal), acturalPaid: fixed(h.acturalPaid), currency: h.currency,
            lines: o.lines.enumerated().map { i, l in
                DeclarationLineRecord(
                    gnum: l.gnum, itemNo: nonEmpty(l.itemNo), itemName: l.itemName, qty: fixed(l.qty), unit: l.unit,
                    price: fixed(l.price), totalPrice: fixed(l.totalPrice), currency: l.currency, country: l.country)
            })
    }

    static func payment(_ p: Payment, _ g: String) -> DeclarationRecord {
        let h = p.head
        return DeclarationRecord(
            kind: .payment, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: h.orderNo, payTransactionId: h.payTransactionId, ebpCode: h.ebpCode, payCode: h.payCode, ieFlag: "I",
            buyerIdType: h.payerIdType, buyerIdNumber: h.payerIdNumber, buyerName: h.payerName,
            buyerTelephone: nonEmpty(h.telephone), acturalPaid: fixed(h.amountPaid), currency: h.currency)
    }

    static func logistics(_ l: Logistics, _ g: String) -> DeclarationRecord {
        let h = l.head
        return DeclarationRecord(
            kind: .logistics, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: nonEmpty(h.orderNo), logisticsNo: h.logisticsNo, billNo: nonEmpty(h.billNo),
            logisticsCode: h.logisticsCode, ieFlag: "I", buyerName: h.consignee, buyerTelephone: h.consigneeTelephone,
            freight: fixed(h.freight), currency: h.currency)
    }

    static func inventory(_ i: Inventory, _ g: String) -> DeclarationRecord {
        let h = i.head
        return DeclarationRecord(
            kind: .inventory, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: h.orderNo, logisticsNo: h.logisticsNo, invtNo: nonEmpty(h.invtNo), copNo: nonEmpty(h.copNo),
            preNo: nonEmpty(h.preNo), billNo: nonEmpty(h.billNo), ebpCode: h.ebpCode, ebcCode: h.ebcCode,
            logisticsCode: h.logisticsCode, agentCode: h.agentCode, customsCode: h.customsCode, portCode: h.portCode,
            tradeMode: h.tradeMode, ieFlag: h.ieFlag, buyerIdType: h.buyerIdType, buyerIdNumber: h.buyerIdNumber,
            buyerName: h.buyerName, buyerTelephone: h.buyerTelephone,
            goodsValue: i.lines.reduce(FixedDecimal.zero) { FixedDecimal(scaled: $0.scaled &+ $1.totalPrice.units) },
            freight: fixed(h.freight), currency: h.currency,
            lines: i.lines.enumerated().map { n, l in
                DeclarationLineRecord(
                    gnum: l.gnum, itemNo: nonEmpty(l.itemNo), itemName: l.itemName ?? l.gname, gcode: l.gcode,
                    qty: fixed(l.qty), unit: l.unit, price: fixed(l.price), totalPrice: fixed(l.totalPrice),
                    currency: l.currency, country: l.country)
            })
    }

    static func inventoryCancel(_ c: InventoryCancel, _ g: String) -> DeclarationRecord {
        DeclarationRecord(
            kind: .inventoryCancel, messageGuid: g, declarationGuid: c.guid, appType: c.appType, appTime: ChinaTime.date(cebTime: c.appTime),
            orderNo: c.orderNo, logisticsNo: c.logisticsNo, invtNo: c.invtNo, copNo: nonEmpty(c.copNo), preNo: nonEmpty(c.preNo),
            ebpCode: c.ebpCode, ebcCode: c.ebcCode, logisticsCode: c.logisticsCode, agentCode: c.agentCode,
            customsCode: c.customsCode, ieFlag: "I", buyerIdType: c.buyerIdType, buyerIdNumber: c.buyerIdNumber,
            buyerName: c.buyerName, buyerTelephone: c.buyerTelephone)
    }

    static func inventoryRefund(_ r: InventoryRefund, _ g: String) -> DeclarationRecord {
        let h = r.head
        return DeclarationRecord(
            kind: .inventoryRefund, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: h.orderNo, logisticsNo: h.logisticsNo, invtNo: h.invtNo, copNo: nonEmpty(h.copNo), preNo: nonEmpty(h.preNo),
            ebpCode: h.ebpCode, ebcCode: h.ebcCode, logisticsCode: h.logisticsCode, agentCode: h.agentCode,
            customsCode: h.customsCode, ieFlag: "I", buyerIdType: h.buyerIdType, buyerIdNumber: h.buyerIdNumber,
            buyerName: h.buyerName, buyerTelephone: h.buyerTelephone,
            lines: r.lines.enumerated().map { n, l in
                DeclarationLineRecord(gnum: l.gnum, itemName: l.gname, gcode: l.gcode, qty: fixed(l.qty), unit: l.unit)
            })
    }

    // MARK: Export

    static func exportOrder(_ o: ExportOrder, _ g: String) -> DeclarationRecord {
        let h = o.head
        return DeclarationRecord(
            kind: .exportOrder, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: h.orderNo, ebpCode: h.ebpCode, ebcCode: h.ebcCode, ieFlag: "E", goodsValue: fixed(h.goodsValue),
            freight: fixed(h.freight), currency: h.currency,
            lines: o.lines.enumerated().map { n, l in
                DeclarationLineRecord(
                    gnum: l.gnum, itemNo: l.itemNo, qty: fixed(l.qty), unit: l.unit, price: fixed(l.price),
                    totalPrice: fixed(l.totalPrice), currency: l.currency)
            })
    }

    static func exportPayment(_ p: PaymentReceipt, _ g: String) -> DeclarationRecord {
        DeclarationRecord(
            kind: .exportPayment, messageGuid: g, declarationGuid: p.guid, appType: p.appType, appTime: ChinaTime.date(cebTime: p.appTime),
            orderNo: p.orderNo, payTransactionId: nonEmpty(p.payNo), ebpCode: p.ebpCode, ebcCode: p.ebcCode,
            payCode: nonEmpty(p.payCode), ieFlag: "E", acturalPaid: fixed(p.charge), currency: p.currency)
    }

    static func exportLogistics(_ l: ExportLogistics, _ g: String) -> DeclarationRecord {
        DeclarationRecord(
            kind: .exportLogistics, messageGuid: g, declarationGuid: l.guid, appType: l.appType, appTime: ChinaTime.date(cebTime: l.appTime),
            logisticsNo: l.logisticsNo, ebcCode: nonEmpty(l.ebcCode), logisticsCode: l.logisticsCode, ieFlag: "E",
            freight: fixed(l.freight), currency: l.currency)
    }

    static func exportInventory(_ i: ExportInventory, _ g: String) -> DeclarationRecord {
        let h = i.head
        return DeclarationRecord(
            kind: .exportInventory, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            orderNo: h.orderNo, logisticsNo: h.logisticsNo, invtNo: nonEmpty(h.invtNo), copNo: h.copNo, preNo: nonEmpty(h.preNo),
            billNo: nonEmpty(h.billNo), ebpCode: h.ebpCode, ebcCode: h.ebcCode, logisticsCode: h.logisticsCode,
            agentCode: h.agentCode, customsCode: h.customsCode, portCode: h.portCode, tradeMode: h.tradeMode, ieFlag: h.ieFlag,
            goodsValue: i.lines.reduce(FixedDecimal.zero) { FixedDecimal(scaled: $0.scaled &+ $1.totalPrice.units) },
            freight: fixed(h.freight), currency: h.fCurrency,
            lines: i.lines.enumerated().map { n, l in
                DeclarationLineRecord(
                    gnum: l.gnum, itemNo: l.itemNo, itemName: l.itemName ?? l.gname, gcode: l.gcode, qty: fixed(l.qty),
                    unit: l.unit, price: fixed(l.price), totalPrice: fixed(l.totalPrice), currency: l.currency, country: l.country)
            })
    }

    static func exportInventoryCancel(_ c: ExportInventoryCancel, _ g: String) -> DeclarationRecord {
        DeclarationRecord(
            kind: .exportInventoryCancel, messageGuid: g, declarationGuid: c.guid, appType: c.appType,
            appTime: ChinaTime.date(cebTime: c.appTime), invtNo: c.invtNo, copNo: c.copNo, preNo: nonEmpty(c.preNo), ebcCode: c.ebcCode,
            agentCode: c.agentCode, customsCode: c.customsCode, ieFlag: "E")
    }

    /// A CEB607 consolidated waybill, or one part of a master bill split over `msgCount` messages:
    /// the parts share the copNo and differ by `msgSeqNo` (``DeclarationRecord/partNo``), so each is
    /// stored as its own manifest rather than skipped as a repeat of the first.
    static func manifest(_ w: WayBill, _ g: String) -> DeclarationRecord {
        let h = w.head
        var record = DeclarationRecord(
            kind: .manifest, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            copNo: h.copNo, preNo: nonEmpty(h.preNo), billNo: h.billNo, logisticsCode: h.logisticsCode, agentCode: h.agentCode,
            customsCode: h.customsCode, ieFlag: "E",
            lines: w.lines.map { l in
                DeclarationLineRecord(gnum: l.gnum, itemNo: l.logisticsNo, itemName: nonEmpty(l.invtNo))
            })
        record.partNo = h.msgCount > 1 ? h.msgSeqNo : nil
        return record
    }

    // MARK: Export returns (202205)

    /// CEB213: `coElNo` is the enterprise's own number (what `copNo` is elsewhere), `invtNo` the original
    /// export inventory the goods left on; the goods come back, so `ieFlag` is `I`.
    static func exportReturn(_ r: ExportReturnApplication, _ g: String) -> DeclarationRecord {
        let h = r.head
        return DeclarationRecord(
            kind: .exportReturn, messageGuid: g, declarationGuid: h.guid, appType: h.appType, appTime: ChinaTime.date(cebTime: h.appTime),
            logisticsNo: nonEmpty(h.logisticsNo), invtNo: nonEmpty(h.invtNo), copNo: nonEmpty(h.coElNo), preNo: nonEmpty(h.preNo),
            billNo: nonEmpty(h.billNo), ebpCode: nonEmpty(h.ebpCode), ebcCode: nonEmpty(h.ebcCode), logisticsCode: nonEmpty(h.logisticsCode),
            agentCode: nonEmpty(h.agentCode), customsCode: h.customsCode, portCode: nonEmpty(h.portCode), tradeMode: h.tradeMode,
            ieFlag: "I",
            lines: r.lines.map { l in
                DeclarationLineRecord(gnum: l.gnum, itemName: l.gname, gcode: l.gcode, qty: fixed(l.qty), unit: l.unit)
            })
    }

    /// CEB215: one returned parcel tallied at the supervised place (`coElNo` as `copNo`).
    static func exportReturnTally(_ t: ExportReturnDetail, _ g: String) -> DeclarationRecord {
        DeclarationRecord(
            kind: .exportReturnTally, messageGuid: g, declarationGuid: t.guid, appType: t.appType, appTime: ChinaTime.date(cebTime: t.appTime),
            logisticsNo: nonEmpty(t.logisticsNo), invtNo: nonEmpty(t.invtNo), copNo: nonEmpty(t.coElNo), preNo: nonEmpty(t.preNo),
            billNo: nonEmpty(t.billNo), logisticsCode: nonEmpty(t.logisticsCode), customsCode: t.customsCode, ieFlag: "I")
    }
}
