import ClearanceTestSupport
import CEBModel
import ClearanceRules
import Foundation
import Testing
@testable import ClearanceIngest
import ClearanceStore

/// Decodes a sample and maps each valid document.
final class MappingCollector: ValidationObserver {
    var mapped: [MappedDocument] = []
    var documents: [CEBDocument] = []
    func validated(_ decode: () -> CEBDocument, context: DocumentContext) {
        let document = decode()
        documents.append(document)
        mapped.append(DeclarationMapper.map(document, messageGuid: "MSG"))
    }
    func messageFinished(_ envelope: MessageEnvelope) {}
}

func mapSample(_ name: String) throws -> MappingCollector {
    let collector = MappingCollector()
    try MessageValidator.validate(path: Repository.samplePath(name), observer: collector)
    return collector
}

@Suite("Declaration mapping")
struct DeclarationMapperTests {
    @Test("amounts map exactly: CEBDecimal units are FixedDecimal scaled")
    func amounts() throws {
        let c = try mapSample("CEB311-order.xml")
        guard case .order(let order) = try #require(c.documents.first),
              case .declaration(let d) = try #require(c.mapped.first) else { Issue.record("not an order"); return }
        #expect(d.kind == .order)
        #expect(d.messageGuid == "MSG")
        #expect(d.declarationGuid == order.head.guid)
        #expect(d.orderNo == order.head.orderNo)
        #expect(d.acturalPaid?.scaled == order.head.acturalPaid.units)
        #expect(d.goodsValue?.scaled == order.head.goodsValue.units)
        #expect(d.taxTotal?.scaled == order.head.taxTotal.units)
        #expect(d.lines.count == order.lines.count)
        for (line, source) in zip(d.lines, order.lines) {
            #expect(line.totalPrice?.scaled == source.totalPrice.units)
            #expect(line.qty?.scaled == source.qty.units)
        }
        #expect(d.buyerIdNumber == order.head.buyerIdNumber)
        #expect(FixedDecimal(scaled: CEBDecimal(units: 12_345_678).units).description == "123.45678")
    }

    @Test("export return (CEB213): the enterprise number as copNo, the original export inventory, direction I; its receipt (CEB214) points back")
    func exportReturn() throws {
        let c = try mapSample("CEB213-export-return.xml")
        guard case .declaration(let d) = try #require(c.mapped.first) else { Issue.record("not a declaration"); return }
        #expect(d.kind == .exportReturn)
        #expect(d.copNo == "DHTH202612100001")
        #expect(d.invtNo == "35012026E000004567")    // the CEB603 inventory the goods left on
        #expect(d.ieFlag == "I")
        #expect(d.lines.map(\.gcode) == ["6911101900"])
        let r = try mapSample("CEB214-export-return-return.xml")
        guard case .receipt(let receipt) = try #require(r.mapped.first) else { Issue.record("not a receipt"); return }
        #expect(receipt.forKind == .exportReturn)
        #expect(receipt.copNo == d.copNo && receipt.invtNo == d.invtNo)
    }

    @Test("inventory: business numbers, parties and lines")
    func inventory() throws {
        let c = try mapSample("CEB621-inventory.xml")
        guard case .declaration(let d) = try #require(c.mapped.first) else { Issue.record("not a declaration"); return }
        #expect(d.kind == .inventory)
        #expect(d.copNo == "PTQD202611250001")
        #expect(d.invtNo == "35162026I000012345")
        #expect(d.businessKey == "PTQD202611250001")
        #expect(d.agentCode != nil && d.ebcCode != nil && d.logisticsNo != nil && d.orderNo != nil)
        #expect(!d.lines.isEmpty)
        #expect(Set(d.lines.map(\.gnum)).count == d.lines.count)
        #expect(d.appTime != nil)
    }

    @Test("each declaration sample maps to its kind, each receipt sample to a receipt of the right kind", arguments: [
        ("CEB311-order.xml", "order"), ("CEB411-payment.xml", "payment"), ("CEB511-logistics.xml", "logistics"),
        ("CEB621-inventory.xml", "inventory"), ("CEB623-inventory-cancel.xml", "inventory-cancel"),
        ("CEB625-inventory-refund.xml", "inventory-refund"), ("CEB303-export-order.xml", "export-order"),
        ("CEB403-payment-receipt.xml", "export-payment"), ("CEB505-export-logistics.xml", "export-logistics"),
        ("CEB603-export-inventory.xml", "export-inventory"), ("CEB605-export-inventory-cancel.xml", "export-inventory-cancel"),
        ("CEB607-waybill.xml", "manifest"),
        ("CEB312-order-return.xml", "receipt:order"), ("CEB412-payment-return.xml", "receipt:payment"),
        ("CEB512-logistics-return.xml", "receipt:logistics"), ("CEB622-inventory-return.xml", "receipt:inventory"),
        ("CEB624-inventory-cancel-return.xml", "receipt:inventory-cancel"),
        ("CEB626-inventory-refund-return.xml", "receipt:inventory-refund"),
        ("CEB304-export-order-return.xml", "receipt:export-order"),
        ("CEB404-payment-receipt-return.xml", "receipt:export-payment"),
        ("CEB506-export-logistics-return.xml", "receipt:export-logistics"),
        ("CEB604-export-inventory-return.xml", "receipt:export-inventory"),
        ("CEB606-export-inventory-cancel-return.xml", "receipt:export-inventory-cancel"),
        ("CEB608-waybill-return.xml", "receipt:manifest"),
        ("CEB213-export-return.xml", "export-return"), ("CEB215-export-return-tally.xml", "export-return-tally"),
        ("CEB214-export-return-return.xml", "receipt:export-return"),
        ("CEB216-export-return-tally-return.xml", "receipt:export-return-tally"),
        ("CEB507-arrival.xml", "arrival"), ("CEB509-departure.xml", "departure"), ("CEB701-summary-apply.xml", "summary-application"),
        ("CEB508-arrival-return.xml", "receipt:arrival"), ("CEB510-departure-return.xml", "receipt:departure"),
        ("CEB702-summary-apply-return.xml", "receipt:summary-application"), ("CEB792-summary-result.xml", "receipt:summary-result"),
        ("CEB513-logistics-status.xml", "other"),
    ])
    func kinds(file: String, expected: String) throws {
        let c = try mapSample(file)
        try #require(!c.mapped.isEmpty)
        for mapped in c.mapped {
            switch mapped {
            case .declaration(let d): #expect(d.kind.rawValue == expected)
            case .receipt(let r):
                #expect("receipt:" + r.forKind.rawValue == expected)
                #expect(!r.returnStatus.isEmpty && !r.returnTime.isEmpty && r.messageGuid == "MSG")
            case .other: #expect(expected == "other")
            }
        }
    }

    @Test("CEB times are China Standard Time")
    func times() {
        #expect(ChinaTime.date(cebTime: "20261125120000") == Date(timeIntervalSince1970: 1_795_579_200))
        #expect(ChinaTime.date(cebTime: "20261125") == Date(timeIntervalSince1970: 1_795_536_000))
        #expect(ChinaTime.date(cebTime: "2026112512000") != nil)
        #expect(ChinaTime.date(cebTime: "20261325120000") == nil)
        #expect(ChinaTime.date(cebTime: "2026-11-25") == nil)
    }
}
