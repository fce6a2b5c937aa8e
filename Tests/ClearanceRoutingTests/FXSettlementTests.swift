import CEBModel
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// Foreign-exchange settlement (收汇) on both stores: a month of exports through the flow and the
/// simulated customs, one order left unpaid, one paid and never exported, one paid short (its receipt
/// after the inventory, as export payments often come); the report's standings and per-currency sums
/// are checked against figures worked out here from the shipments.
@Suite("Foreign-exchange settlement", .serialized)
struct FXSettlementTests {
    @Test("exports set against payment receipts: settled, unpaid, paid-not-exported and underpaid orders, sums per currency",
          arguments: TestEngine.allCases)
    func monthOfPayments(engine: TestEngine) async throws {
        let (store, flow, customs) = try await ExportSummaryTests.rig(engine)
        let month = ExportMonth.make(count: 12, seed: engine == .sqlite ? 41 : 42)
        let ebc = ExportMonth.enterprises[0]
        let october = month.shipments.filter { $0.ebcCode == ebc && $0.ieDate.hasPrefix("202610") }
        let unpaid = october[0], notExported = october[1], short = october[2]

        var documents: [[UInt8]] = []
        for s in month.shipments {
            var sequence = [ExportMonth.order(s), ExportMonth.waybill(s)]
            if s != notExported { sequence.append(ExportMonth.inventory(s)) }
            if s == short {
                let receipt = String(decoding: ExportMonth.paymentReceipt(s), as: UTF8.self)
                    .replacingOccurrences(of: "<ceb:charge>\(ExportMonth.goodsValue(s))</ceb:charge>", with: "<ceb:charge>1.00</ceb:charge>")
                #expect(receipt.contains("<ceb:charge>1.00</ceb:charge>"))
                sequence.append(Array(receipt.utf8))
            } else if s != unpaid {
                sequence.append(ExportMonth.paymentReceipt(s))
            }
            for bytes in sequence {
                let outcome = try await flow.accept(bytes)
                #expect(outcome.status == .routed(["customs"]), "\(outcome.messageType) \(s.index): \(outcome.summary) \(outcome.issues)")
                documents.append(bytes)
            }
        }
        try await customs.answer(documents)

        let summarizer = ExportSummarizer(store: store, flow: nil)
        let report = try await summarizer.fxSettlement(ebcCode: ebc, period: try #require(SummaryPeriod("2026-10")))
        #expect(report.unreadable.isEmpty)
        #expect(report.orders.map(\.orderNo) == october.map(\.orderNo).sorted())
        #expect(report.exportedNotPaid == [unpaid.orderNo])
        #expect(report.paidNotExported == [notExported.orderNo])
        let standings = Dictionary(uniqueKeysWithValues: report.orders.map { ($0.orderNo, $0.standing) })
        for s in october {
            let expected: FXOrderStanding = s == unpaid ? .exportedNotPaid : s == notExported ? .paidNotExported : s == short ? .underpaid : .settled
            #expect(standings[s.orderNo] == expected, "\(s.orderNo)")
        }
        // Per currency, worked out from the shipments: exported = released inventories' lines, received = receipts' charge.
        var exported: [String: Decimal] = [:]
        var received: [String: Decimal] = [:]
        for s in october {
            let currency = s.lines[0].currency
            if s != notExported { exported[currency, default: 0] += s.lines.reduce(0) { $0 + Decimal(string: $1.totalPrice)! } }
            if s == short { received[currency, default: 0] += 1 } else if s != unpaid {
                received[currency, default: 0] += Decimal(string: ExportMonth.goodsValue(s))!
            }
        }
        #expect(report.currencies.map(\.currency) == Set(exported.keys).union(received.keys).sorted())
        for total in report.currencies {
            #expect(Decimal(string: total.exported) == exported[total.currency] ?? 0, "\(total.currency)")
            #expect(Decimal(string: total.received) == received[total.currency] ?? 0, "\(total.currency)")
            #expect(Decimal(string: total.outstanding) == (exported[total.currency] ?? 0) - (received[total.currency] ?? 0))
        }
        let shortOrder = try #require(report.orders.first { $0.orderNo == short.orderNo })
        #expect(shortOrder.receipts.count == 1 && shortOrder.receipts[0].counted && shortOrder.receipts[0].charge == "1.00")
        #expect(shortOrder.inventories.count == 1 && shortOrder.inventories[0].exportDate == short.ieDate)
        let rows = report.csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 1 + october.count && rows[0] == "orderNo,standing,currency,exported,received,inventories,receipts")
        #expect(rows.contains { $0.hasPrefix("\(unpaid.orderNo),exported-not-paid,") })

        // November holds the enterprise's last export alone.
        let november = try await summarizer.fxSettlement(ebcCode: ebc, period: try #require(SummaryPeriod("2026-11")))
        #expect(november.orders.map(\.orderNo) == month.shipments.filter { $0.ebcCode == ebc && $0.ieDate.hasPrefix("202611") }.map(\.orderNo))
        await customs.shutdown()
        await store.close()
    }
}
