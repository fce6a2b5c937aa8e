import Foundation
import CEBModel
@testable import ClearanceStore

/// Synthetic shipments: order (CEB311) + payment (CEB411) + waybill (CEB511) + inventory (CEB621),
/// one message per declaration, linked by orderNo and logisticsNo like the real three-document match.
struct ShipmentFixture: Sendable {
    let index: Int
    let orderNo: String
    let logisticsNo: String
    let invtNo: String
    let copNo: String
    let payTransactionId: String
    let buyerId: String
    let phone: String
    let items: [IngestItem]

    static let ebpCode = "3501960001"
    static let ebcCode = "3501960002"
    static let payCode = "3101980001"
    static let logisticsCode = "3501980003"
    static let agentCode = "3501980004"
    static let base = Date(timeIntervalSince1970: 1_760_000_000)

    /// A valid 18-character resident ID (GB 11643 check digit) that varies with `n`.
    static func residentId(_ n: Int) -> String {
        let day = 1 + n % 28, month = 1 + (n / 28) % 12, year = 1960 + (n / 336) % 45
        let body = String(format: "350102%04d%02d%02d%03d", year, month, day, n % 1000)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        let check = Array("10X98765432")[sum % 11]
        return body + String(check)
    }

    static func guid(_ tag: String, _ n: Int) -> String {
        // 36 characters, upper case, like the envelope guids senders use.
        let hex = String(format: "%012X", n)
        return "\(tag.prefix(8).padding(toLength: 8, withPad: "0", startingAt: 0))-0000-4000-8000-\(hex)"
    }

    init(_ n: Int, linesPerDocument: Int = 2) {
        index = n
        orderNo = String(format: "ORD%010d", n)
        logisticsNo = String(format: "LP%012d", n)
        invtNo = String(format: "35012026I%09d", n)
        copNo = String(format: "COP%010d", n)
        payTransactionId = String(format: "PAY%014d", n)
        buyerId = Self.residentId(n)
        phone = String(format: "138%08d", n % 100_000_000)
        let received = Self.base.addingTimeInterval(Double(n))
        let buyerName = "张三\(n % 100)"
        let lines = (1...max(linesPerDocument, 1)).map { g in
            DeclarationLineRecord(
                gnum: g, itemNo: "SKU-\(n)-\(g)", itemName: "奶粉 Milk powder \(g)\tstage\\\(g)", gcode: "0402100000",
                qty: FixedDecimal(units: Int64(g)), unit: "011", price: FixedDecimal("199.9"),
                totalPrice: FixedDecimal(scaled: 19_990_000 * Int64(g)), currency: "142", country: "116")
        }
        let goods = FixedDecimal(scaled: lines.reduce(0) { $0 + ($1.totalPrice?.scaled ?? 0) })

        func message(_ type: String, _ tag: String, sender: String, offset: Double) -> MessageRecord {
            let guid = Self.guid(tag, n)
            // The raw document carries the buyer's ID and phone, as real messages do.
            let xml = "<ceb:\(type)Message guid=\"\(guid)\" version=\"1.0\"><orderNo>\(String(format: "ORD%010d", n))</orderNo>"
                + "<buyerIdNumber>\(Self.residentId(n))</buyerIdNumber><buyerTelephone>\(String(format: "138%08d", n % 100_000_000))</buyerTelephone></ceb:\(type)Message>"
            return MessageRecord(
                guid: guid, messageType: type, senderCode: sender, direction: .inbound,
                receivedAt: received.addingTimeInterval(offset), rawBytes: Array(xml.utf8), signatureVerdict: "valid")
        }
        let m311 = message("CEB311", "ORDER", sender: Self.ebpCode, offset: 0)
        let m411 = message("CEB411", "PAYMNT", sender: Self.payCode, offset: 1)
        let m511 = message("CEB511", "WAYBIL", sender: Self.logisticsCode, offset: 2)
        let m621 = message("CEB621", "INVENT", sender: Self.agentCode, offset: 3)
        items = [
            IngestItem(message: m311, declarations: [DeclarationRecord(
                kind: .order, messageGuid: m311.guid, declarationGuid: Self.guid("OHEAD", n), appType: "1",
                orderNo: orderNo, ebpCode: Self.ebpCode, ebcCode: Self.ebcCode, payCode: Self.payCode,
                buyerIdType: "1", buyerIdNumber: buyerId, buyerName: buyerName, buyerTelephone: phone,
                goodsValue: goods, freight: FixedDecimal("10"), taxTotal: FixedDecimal("12.34"),
                acturalPaid: FixedDecimal(scaled: goods.scaled + 1_000_000 + 1_234_000), currency: "142", lines: lines)]),
            IngestItem(message: m411, declarations: [DeclarationRecord(
                kind: .payment, messageGuid: m411.guid, declarationGuid: Self.guid("PHEAD", n), appType: "1",
                orderNo: orderNo, payTransactionId: payTransactionId, ebpCode: Self.ebpCode, payCode: Self.payCode,
                buyerIdType: "1", buyerIdNumber: buyerId, buyerName: buyerName, buyerTelephone: phone,
                acturalPaid: FixedDecimal(scaled: goods.scaled + 2_234_000), currency: "142")]),
            IngestItem(message: m511, declarations: [DeclarationRecord(
                kind: .logistics, messageGuid: m511.guid, declarationGuid: Self.guid("LHEAD", n), appType: "1",
                logisticsNo: logisticsNo, billNo: "BILL\(n / 1000)", logisticsCode: Self.logisticsCode,
                buyerName: buyerName, buyerTelephone: phone, freight: FixedDecimal("10"), currency: "142")]),
            IngestItem(message: m621, declarations: [DeclarationRecord(
                kind: .inventory, messageGuid: m621.guid, declarationGuid: Self.guid("IHEAD", n), appType: "1",
                orderNo: orderNo, logisticsNo: logisticsNo, invtNo: invtNo, copNo: copNo, ebpCode: Self.ebpCode,
                ebcCode: Self.ebcCode, logisticsCode: Self.logisticsCode, agentCode: Self.agentCode,
                customsCode: "3501", portCode: "3501", tradeMode: "9610", ieFlag: "I", buyerIdType: "1",
                buyerIdNumber: buyerId, buyerName: buyerName, buyerTelephone: phone, goodsValue: goods,
                freight: FixedDecimal("10"), taxTotal: FixedDecimal("12.34"), currency: "142", lines: lines)]),
        ]
    }

    /// A CEB622 receipt message plus its `InventoryReturn`.
    func inventoryReceipt(status: String, time: String, offset: Double = 100) -> (IngestItem, ReceiptRecord) {
        let guid = Self.guid("R622\(status.suffix(3))", index)
        let message = MessageRecord(
            guid: guid, messageType: "CEB622", senderCode: "3501", direction: .inbound,
            receivedAt: Self.base.addingTimeInterval(Double(index) + offset),
            rawBytes: Array("<ceb:CEB622Message guid=\"\(guid)\"/>".utf8), signatureVerdict: "valid")
        let receipt = ReceiptRecord(
            messageGuid: guid, forKind: .inventory, referenceGuid: Self.guid("IHEAD", index), returnStatus: status,
            returnTime: time, returnInfo: "status \(status)", invtNo: invtNo, copNo: copNo, agentCode: Self.agentCode,
            customsCode: "3501")
        return (IngestItem(message: message), receipt)
    }
}

func shipments(_ range: Range<Int>, linesPerDocument: Int = 2) -> [ShipmentFixture] {
    range.map { ShipmentFixture($0, linesPerDocument: linesPerDocument) }
}

extension ShipmentFixture {
    /// The shipment's inventory as the match reads it (its parties and numbers).
    var inventoryHead: InventoryHead {
        InventoryHead(orderNo: orderNo, ebpCode: Self.ebpCode, ebcCode: Self.ebcCode, logisticsNo: logisticsNo,
                      logisticsCode: Self.logisticsCode, invtNo: invtNo, buyerIdType: "1", buyerIdNumber: buyerId, agentCode: Self.agentCode)
    }
}
