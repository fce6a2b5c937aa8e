import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// A summary run reads the month a page at a time: whatever the page size — one inventory, a page
/// boundary inside a message, or the whole month at once — the plan is the same, on both stores.
@Suite("Summary reads a month page by page", .serialized)
struct SummaryPagingTests {
    /// The inventories of `shipments` as one CEB603 message (envelope of the first, guid per group).
    static func inventories(_ shipments: [ExportMonth.Shipment], group: Int) -> [UInt8] {
        let texts = shipments.map { String(decoding: ExportMonth.inventory($0), as: UTF8.self) }
        let bodies = texts.map { t in String(t[t.range(of: "<ceb:Inventory>")!.lowerBound..<t.range(of: "</ceb:Inventory>")!.upperBound]) }
        let first = texts[0]
        let head = first[..<first.range(of: "<ceb:Inventory>")!.lowerBound], tail = first[first.range(of: "</ceb:Inventory>")!.upperBound...]
        let envelope = ExportMonth.guid(14, shipments[0].index)
        return Array((head.replacingOccurrences(of: envelope, with: ExportMonth.guid(99, group)) + bodies.joined(separator: "\n") + tail).utf8)
    }

    @Test("the same plan with pages of 1, 3, 5 and 1000 inventories, five inventories per message", arguments: TestEngine.allCases)
    func pageSizeChangesNothing(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let table = ExportSummaryTests.table()
        let flow = ClearanceFlow(store: store, routing: { table })
        let month = ExportMonth.make(count: 40, seed: engine == .sqlite ? 71 : 72)
        for s in month.shipments {
            for bytes in [ExportMonth.order(s), ExportMonth.paymentReceipt(s), ExportMonth.waybill(s)] {
                #expect(try await flow.accept(bytes).status == .routed(["customs"]))
            }
        }
        // Five inventories per message, both enterprises mixed; every other message cleared.
        for (group, start) in stride(from: 0, to: month.shipments.count, by: 5).enumerated() {
            let outcome = try await flow.accept(Self.inventories(Array(month.shipments[start..<start + 5]), group: group))
            #expect(outcome.status == .routed(["customs"]), "\(outcome.summary) \(outcome.issues)")
        }
        let ebc = ExportMonth.enterprises[0]
        let all = try await store.exportInventories(ebcCode: ebc)
        #expect(all.count == 20 && Set(all.map(\.messageGuid)).count == 8)
        var clearedMessages = 0
        for (index, guid) in Set(all.map(\.messageGuid)).sorted().enumerated() where index % 2 == 0 {
            let status = try #require(all.first { $0.messageGuid == guid }?.status)
            #expect(try await store.advanceMessage(messageGuid: guid, fromStatus: status, toStatus: .cleared, events: [], routes: []) == 5)
            clearedMessages += 1
        }
        // The store's pages put together are the whole list, in id order.
        var paged: [ExportInventoryStanding] = []
        while true {
            let page = try await store.exportInventories(ebcCode: ebc, afterId: paged.last?.declarationId ?? 0, limit: 3)
            paged += page
            if page.count < 3 { break }
        }
        #expect(paged.map(\.declarationId) == all.map(\.declarationId) && paged.map(\.declarationId) == paged.map(\.declarationId).sorted())

        let period = SummaryPeriod(year: 2026, month: 10)
        let whole = try await ExportSummarizer(store: store, flow: nil, pageSize: 1000).plan(ebcCode: ebc, period: period)
        let listed = whole.declarations.reduce(0) { $0 + $1.inventories.count } + whole.exclusions.count
        #expect(listed == 20, "every inventory of the enterprise is in a declaration or left out")
        #expect(!whole.declarations.isEmpty && whole.exclusions.contains { $0.reason.code == "not-cleared" }, "\(whole)")
        for size in [1, 3, 5] {
            let plan = try await ExportSummarizer(store: store, flow: nil, pageSize: size).plan(ebcCode: ebc, period: period)
            #expect(plan == whole, "page size \(size)")
        }
        await store.close()
    }
}
