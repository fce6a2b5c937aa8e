import CEBModel
import ClearanceRules
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceIngest
@testable import ClearanceStore

/// The inspection (`InspReturn`) and payment/FX (`PayExReturn`) answers become receipts of their
/// authority, matched to the declarations they may answer.
@Suite("Authority answer mapping")
struct AuthorityAnswerMappingTests {
    @Test("InspReturn → an inspection receipt matched to the inventory, then the order")
    func inspectionAnswer() throws {
        let c = try mapSample("INSPRET-inspection-return.xml")
        guard case .inspectionReturn(let answer) = try #require(c.documents.first),
              case .receipt(let r) = try #require(c.mapped.first) else { Issue.record("not an inspection receipt"); return }
        #expect(r.forKind == .inspection)
        #expect(r.forKind.isAuthorityAnswer)
        #expect(r.matchKinds == [.inventory, .order])
        #expect(r.referenceGuid == answer.guid)
        #expect(r.returnStatus == "800")
        #expect(r.returnTime == "20261125100512345")
        #expect(r.orderNo == "PT202611250001")
        #expect(r.copNo == "PTQD202611250001")
        #expect(r.messageGuid == "MSG")
        #expect(answer.inspOrgCode == "351600")
        #expect(answer.inspEcpCode == "3516P00018" && answer.inspCbeCode == "3516E00023")
    }

    @Test("PayExReturn → a payment/FX receipt matched to the payment, then the export receipt of payment")
    func paymentAnswer() throws {
        let c = try mapSample("PAYEXRET-payment-exchange-return.xml")
        guard case .paymentExchangeReturn(let answer) = try #require(c.documents.first),
              case .receipt(let r) = try #require(c.mapped.first) else { Issue.record("not a payment/FX receipt"); return }
        #expect(r.forKind == .paymentForex)
        #expect(r.forKind.isAuthorityAnswer)
        #expect(r.matchKinds == [.payment, .exportPayment])
        #expect(r.referenceGuid == answer.guid)
        #expect(r.payTransactionId == "HXPAY2026112509351200001")
        #expect(r.orderNo == "PT202611250001")
        #expect(r.returnStatus == "120")
        #expect(answer.payCode == "91350102MA31C9UE4Q")
    }

    @Test("customs receipts keep their own kind as the only match kind")
    func customsReceiptsUnchanged() throws {
        let c = try mapSample("CEB622-inventory-return.xml")
        guard case .receipt(let r) = try #require(c.mapped.first) else { Issue.record("not a receipt"); return }
        #expect(r.forKind == .inventory)
        #expect(r.matchKinds == [.inventory])
        #expect(!r.forKind.isAuthorityAnswer)
    }

    @Test("empty optional numbers are not used for matching")
    func emptyNumbersDropped() {
        let answer = InspectionReturn(guid: String(repeating: "A", count: 36), inspOrgCode: "351600", inspEcpCode: "E",
                                      inspCbeCode: "C", orderNo: "", copNo: "", returnStatus: "500",
                                      returnTime: "20261125100512345", returnInfo: "hold")
        let r = DeclarationMapper.receipt(.inspectionReturn(answer), messageGuid: "M")
        #expect(r?.orderNo == nil && r?.copNo == nil)
        let payment = PaymentExchangeReturn(guid: String(repeating: "B", count: 36), payTransactionId: "", orderNo: "PT1",
                                            returnStatus: "100", returnTime: "20261125100512345", returnInfo: "rejected")
        let p = DeclarationMapper.receipt(.paymentExchangeReturn(payment), messageGuid: "M")
        #expect(p?.payTransactionId == nil && p?.orderNo == "PT1")
    }

    @Test("ingested answers are stored as receipts of their declarations without moving the customs status", arguments: TestEngine.allCases)
    func ingestedAnswers(engine: TestEngine) async throws {
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            _ = try await BatchIngestor.ingest(path: Repository.samplePath("unsigned/CEB621-inventory.xml"), store: store)
            _ = try await BatchIngestor.ingest(path: Repository.samplePath("CEB411-payment.xml"), store: store)
            _ = try await BatchIngestor.ingest(path: Repository.samplePath("CEB622-inventory-return.xml"), store: store)
            let inspection = try await BatchIngestor.ingest(path: Repository.samplePath("INSPRET-inspection-return.xml"), store: store)
            let payment = try await BatchIngestor.ingest(path: Repository.samplePath("PAYEXRET-payment-exchange-return.xml"), store: store)
            #expect(inspection.receiptsInserted == 1 && inspection.declarationsInserted == 0)
            #expect(payment.receiptsInserted == 1)
            let linked = try await store.rawQuery("""
                SELECT r.for_kind, d.kind FROM receipts r LEFT JOIN declarations d ON d.id = r.declaration_id
                WHERE r.for_kind IN ('inspection', 'payment-forex') ORDER BY r.for_kind
                """)
            #expect(linked == [["inspection", "inventory"], ["payment-forex", "payment"]])
            let statuses = try await store.rawQuery("SELECT kind, status FROM declarations ORDER BY kind")
            #expect(statuses == [["inventory", "800"], ["payment", "received"]])
            let timeline = try #require(try await store.trace(.orderNo("PT202611250001")))
            #expect(Set(timeline.receipts.map(\.forKind)) == [.inventory, .inspection, .paymentForex])
        }
    }
}
