import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// Answers of the inspection (`InspReturn`) and payment/FX (`PayExReturn`) destinations through the
/// receipt processor: verified, matched, stored on both engines, on the timeline, never regressing
/// the customs status; unmatched ones kept and flagged.
@Suite struct AuthorityAnswerTests {
    /// A signed (by the simulated customs key of the end-to-end tests) receipt message.
    static func receipt(root: String, document: String, fields: [(String, String?)], sign: Bool = true) throws -> [UInt8] {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:\(root) guid="\(UUID().uuidString)" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">
              <ceb:\(document)>

            """
        for (name, value) in fields {
            guard let value else { continue }
            xml += "    <ceb:\(name)>\(value)</ceb:\(name)>\n"
        }
        xml += """
              </ceb:\(document)>
              <ceb:BaseTransfer><ceb:copCode>351600</ceb:copCode><ceb:copName>平潭海关检验检疫</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPCIQ0000000001</ceb:dxpId></ceb:BaseTransfer>
            </ceb:\(root)>

            """
        let bytes = Array(xml.utf8)
        return sign ? try EndToEndTests.customs.0.sign(bytes: bytes) : bytes
    }

    static func inspection(guid: String, status: String, time: String, orderNo: String?, copNo: String?, sign: Bool = true) throws -> [UInt8] {
        try receipt(root: "InspReturnMessage", document: "InspReturn", fields: [
            ("guid", guid), ("inspOrgCode", "351600"), ("inspEcpCode", "3516P00018"), ("inspCbeCode", "3516E00023"),
            ("orderNo", orderNo), ("copNo", copNo), ("returnStatus", status), ("returnTime", time), ("returnInfo", "检验检疫 \(status)"),
        ], sign: sign)
    }

    static func payment(guid: String, status: String, time: String, payTransactionId: String?, orderNo: String) throws -> [UInt8] {
        try receipt(root: "PayExReturnMessage", document: "PayExReturn", fields: [
            ("guid", guid), ("payCode", "91350102MA31C9UE4Q"), ("payTransactionId", payTransactionId), ("orderNo", orderNo),
            ("returnStatus", status), ("returnTime", time), ("returnInfo", "支付数据 \(status)"),
        ])
    }

    static func customs(inventoryGuid: String, copNo: String, status: String, time: String) throws -> [UInt8] {
        try receipt(root: "CEB622Message", document: "InventoryReturn", fields: [
            ("guid", inventoryGuid), ("customsCode", "3501"), ("copNo", copNo),
            ("returnStatus", status), ("returnTime", time), ("returnInfo", "customs \(status)"),
        ])
    }

    /// The first head guid of a message.
    static func headGuid(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let start = text.range(of: "<ceb:guid>") else { return "" }
        return String(text[start.upperBound...].prefix(36))
    }

    /// A store holding one shipment accepted by the flow, and a processor that requires valid signatures.
    func setUp(_ engine: TestEngine, _ n: Int) async throws -> (any ClearanceFlowStore, ReceiptProcessor, SampleShipment) {
        let store = try await makeFlowStore(engine)
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")
        let flow = ClearanceFlow(store: store, routing: { table })
        let shipment = SampleShipment.make(n)
        for part in shipment.all { _ = try await flow.accept(part.bytes) }
        let processor = ReceiptProcessor(
            store: store, verifier: SignatureVerifier(policy: SignaturePolicy(trustStore: EndToEndTests.customs.1)),
            requireSignature: true)
        return (store, processor, shipment)
    }

    func inventoryStatus(_ store: any ClearanceFlowStore, _ s: SampleShipment) async throws -> String? {
        try await store.trace(.copNo(s.copNo))?.declarations.first { $0.kind == .inventory }?.status
    }

    @Test("an inspection hold after customs' release shows on the timeline but does not undo the release", arguments: TestEngine.allCases)
    func holdAfterReleaseDoesNotRegress(_ engine: TestEngine) async throws {
        let (store, processor, s) = try await setUp(engine, 7001)
        let inventoryGuid = Self.headGuid(s.inventory)
        _ = try await processor.process(try Self.customs(inventoryGuid: inventoryGuid, copNo: s.copNo, status: "800", time: "20261125120000000"))
        #expect(try await inventoryStatus(store, s) == "800")

        let hold = try await processor.process(try Self.inspection(
            guid: inventoryGuid, status: "500", time: "20261125130000000", orderNo: s.orderNo, copNo: s.copNo))
        #expect(hold.messageType == "INSPRET")
        #expect(hold.signatureVerdict == .valid)
        #expect(hold.receipts.map(\.matched) == [true])
        #expect(try await inventoryStatus(store, s) == "800", "the customs status is not regressed")
        let t = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(ShipmentStatus.of(t) == "released")
        #expect(t.receipts.contains { $0.forKind == .inspection && $0.returnStatus == "500" && $0.declarationId != nil })
        #expect(t.events.contains { $0.kind.rawValue == "inspection-hold" && $0.code == "500" })
        #expect(t.messages.contains { $0.messageType == "INSPRET" && $0.signatureVerdict == "valid" })
        // The same answer again changes nothing.
        let replay = try await processor.process(try Self.inspection(
            guid: inventoryGuid, status: "500", time: "20261125130000000", orderNo: s.orderNo, copNo: s.copNo))
        #expect(replay.receipts.map(\.inserted) == [false])
        #expect(try await store.trace(.orderNo(s.orderNo))?.events.filter { $0.kind.rawValue == "inspection-hold" }.count == 1)
        await store.close()
    }

    @Test("before release an inspection hold, then its release, show in the shipment status", arguments: TestEngine.allCases)
    func holdBeforeReleaseShows(_ engine: TestEngine) async throws {
        let (store, processor, s) = try await setUp(engine, 7002)
        let inventoryGuid = Self.headGuid(s.inventory)
        _ = try await processor.process(try Self.customs(inventoryGuid: inventoryGuid, copNo: s.copNo, status: "120", time: "20261125100000000"))
        // Found by copNo alone (the guid names no declaration).
        _ = try await processor.process(try Self.inspection(
            guid: UUID().uuidString, status: "500", time: "20261125101000000", orderNo: nil, copNo: s.copNo))
        var t = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(ShipmentStatus.of(t) == "inspection hold")
        #expect(ShipmentStatus.customsPhase(t) == .accepted)
        #expect(try await inventoryStatus(store, s) == "120")
        _ = try await processor.process(try Self.inspection(
            guid: inventoryGuid, status: "800", time: "20261125102000000", orderNo: s.orderNo, copNo: s.copNo))
        t = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(ShipmentStatus.of(t) == "accepted", "released by inspection: customs' phase again")
        #expect(t.events.contains { $0.kind.rawValue == "inspection-released" })
        // Customs releases; then a late inspection rejection arrives: the shipment stays released.
        _ = try await processor.process(try Self.customs(inventoryGuid: inventoryGuid, copNo: s.copNo, status: "800", time: "20261125110000000"))
        _ = try await processor.process(try Self.inspection(
            guid: inventoryGuid, status: "100", time: "20261125103000000", orderNo: s.orderNo, copNo: s.copNo))
        t = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(ShipmentStatus.of(t) == "released")
        #expect(t.events.contains { $0.kind.rawValue == "inspection-rejected" && $0.code == "100" })
        #expect(try await inventoryStatus(store, s) == "800")
        await store.close()
    }

    @Test("a payment/FX rejection is matched to the payment and visible; the payment's customs status stays", arguments: TestEngine.allCases)
    func paymentRejectionVisible(_ engine: TestEngine) async throws {
        let (store, processor, s) = try await setUp(engine, 7003)
        let paymentGuid = Self.headGuid(s.payment)
        let before = try #require(try await store.trace(.orderNo(s.orderNo))?.declarations.first { $0.kind == .payment }?.status)
        let result = try await processor.process(try Self.payment(
            guid: paymentGuid, status: "100", time: "20261125094000000", payTransactionId: nil, orderNo: s.orderNo))
        #expect(result.messageType == "PAYEXRET")
        #expect(result.receipts.map(\.matched) == [true])
        let t = try #require(try await store.trace(.orderNo(s.orderNo)))
        let payment = try #require(t.declarations.first { $0.kind == .payment })
        #expect(payment.status == before)
        #expect(t.receipts.contains { $0.forKind == .paymentForex && $0.declarationId == payment.id && $0.returnStatus == "100" })
        #expect(t.events.contains { $0.kind.rawValue == "payment-rejected" })
        #expect(ShipmentStatus.of(t) == "payment rejected")
        // Verified later (by payTransactionId): no longer rejected.
        let txn = String(decoding: s.payment, as: UTF8.self).components(separatedBy: "<ceb:payTransactionId>")[1].prefix { $0 != "<" }
        // An answer whose keys disagree (the transaction of this payment, another order) answers nothing.
        let disagreeing = try await processor.process(try Self.payment(
            guid: UUID().uuidString, status: "120", time: "20261125094500000", payTransactionId: String(txn), orderNo: "OTHER"))
        #expect(disagreeing.receipts.map(\.matched) == [false])
        let verified = try await processor.process(try Self.payment(
            guid: UUID().uuidString, status: "120", time: "20261125095000000", payTransactionId: String(txn), orderNo: s.orderNo))
        #expect(verified.receipts.map(\.matched) == [true])
        let after = try #require(try await store.trace(.orderNo(s.orderNo)))
        #expect(ShipmentStatus.of(after) != "payment rejected")
        #expect(after.events.contains { $0.kind.rawValue == "payment-verified" })
        await store.close()
    }

    @Test("unmatched answers are kept and flagged; unsigned ones are refused when signatures are required", arguments: TestEngine.allCases)
    func unmatchedKeptUnsignedRefused(_ engine: TestEngine) async throws {
        let (store, processor, _) = try await setUp(engine, 7004)
        let stray = try await processor.process(try Self.inspection(
            guid: UUID().uuidString, status: "500", time: "20261125130000000", orderNo: "NO-SUCH-ORDER", copNo: "NO-SUCH-COP"))
        #expect(stray.receipts.map(\.matched) == [false])
        let t = try #require(try await store.trace(.guid(stray.guid)))
        #expect(t.receipts.count == 1 && t.receipts.first?.declarationId == nil, "kept, never dropped")
        #expect(t.events.contains { $0.kind.rawValue == "unmatched-receipt" && $0.code == "500" })
        let strayPayment = try await processor.process(try Self.payment(
            guid: UUID().uuidString, status: "100", time: "20261125130000001", payTransactionId: "NO-SUCH-TXN", orderNo: "NO-SUCH-ORDER"))
        #expect(strayPayment.receipts.map(\.matched) == [false])

        let unsigned = try Self.inspection(guid: UUID().uuidString, status: "800", time: "20261125130000002", orderNo: nil, copNo: nil, sign: false)
        await #expect(throws: ReceiptError.self) { _ = try await processor.process(unsigned) }
        var tampered = String(decoding: try Self.inspection(
            guid: UUID().uuidString, status: "800", time: "20261125130000003", orderNo: nil, copNo: "X"), as: UTF8.self)
        tampered = tampered.replacingOccurrences(of: "<ceb:returnStatus>800</ceb:returnStatus>", with: "<ceb:returnStatus>500</ceb:returnStatus>")
        await #expect(throws: ReceiptError.self) { _ = try await processor.process(Array(tampered.utf8)) }
        await store.close()
    }

    @Test func answerCodesAreRead() {
        #expect(AuthorityAnswer(status: "500") == .hold)
        #expect(AuthorityAnswer(status: "599") == .hold)
        #expect(AuthorityAnswer(status: "800") == .released)
        #expect(AuthorityAnswer(status: "120") == .accepted)
        #expect(AuthorityAnswer(status: "100") == .rejected)
        #expect(AuthorityAnswer(status: "-301") == .rejected)
        #expect(AuthorityAnswer(status: "2") == .pending)
        #expect(AuthorityAnswer.hold.eventKind(for: .inspection)?.rawValue == "inspection-hold")
        #expect(AuthorityAnswer.rejected.eventKind(for: .paymentForex)?.rawValue == "payment-rejected")
        #expect(AuthorityAnswer.pending.eventKind(for: .inspection) == nil)
        #expect(AuthorityAnswer.hold.eventKind(for: .inventory) == nil)
    }
}
