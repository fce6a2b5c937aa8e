import ClearanceRouting
import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /v1/export/summary-reminders` through the real router on both stores: who sees which
/// enterprise's row, and that the counts are the cleared inventories no summary has taken.
@Suite("Export summary reminders", .serialized)
struct SummaryReminderTests {
    @Test("an enterprise sees its own count of cleared, unsummarised inventories; ops and customs see all; another's is 404",
          arguments: TestEngine.allCases)
    func reminders(_ engine: TestEngine) async throws {
        let h = try await Harness.make(storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            let (a, b) = (ExportMonth.enterprises[0], ExportMonth.enterprises[1])
            let admin = EnterpriseAdmin(store: h.store)
            var accounts = h.keys
            for code in [a, b] {
                try await admin.addEnterprise(EnterpriseRecord(code: code, name: "\(code) test", role: .merchant), actor: "test")
                accounts[code] = try await admin.createKey(enterpriseCode: code, actor: "test").key
            }
            // Eight shipments, four per enterprise: a has all four cleared and one of them already
            // claimed by a summary (3 to remind); b has one cleared (1), the others not yet.
            let month = ExportMonth.make(count: 8, seed: engine == .sqlite ? 61 : 62)
            for s in month.shipments {
                for bytes in [ExportMonth.order(s), ExportMonth.paymentReceipt(s), ExportMonth.waybill(s), ExportMonth.inventory(s)] {
                    let outcome = try await h.environment.flow.accept(bytes)
                    #expect(outcome.status == .routed(["customs"]), "\(outcome.summary) \(outcome.issues)")
                }
            }
            let store = h.environment.store
            let aInventories = try await store.exportInventories(ebcCode: a)
            let bInventories = try await store.exportInventories(ebcCode: b)
            #expect(aInventories.count == 4 && bInventories.count == 4)
            for inventory in aInventories + bInventories.prefix(1) {
                let moved = try await store.advanceMessage(messageGuid: inventory.messageGuid, fromStatus: inventory.status, toStatus: .cleared,
                                                           events: [], routes: [])
                #expect(moved == 1)
            }
            let claimed = try await store.claimForSummary(inventoryIds: [aInventories[0].declarationId], copNo: "SA-TEST", period: "2026-10", ebcCode: a)
            #expect(claimed == [aInventories[0].declarationId])

            let due = SummaryPeriod.previous(to: Date())
            let keys = accounts
            let uri = "/v1/export/summary-reminders"
            try await h.application().test(.router) { client in
                let expected: [(String, String, [String: Int])] = [
                    (a, uri, [a: 3]), (a, uri + "?ebc=\(a)", [a: 3]), (b, uri, [b: 1]),
                    (Parties.stranger, uri, [:]), (Parties.merchant, uri, [:]),
                    (Parties.ops, uri, [a: 3, b: 1]), (Parties.customs, uri, [a: 3, b: 1]), (Parties.ops, uri + "?ebc=\(b)", [b: 1]),
                    (Parties.customs, uri + "?ebc=\(Parties.stranger)", [:]),
                ]
                for (caller, path, want) in expected {
                    try await client.execute(uri: path, method: .get, headers: .key(keys[caller])) { r in
                        #expect(r.status == .ok, "\(caller) \(path): \(r.text)")
                        let json = try r.json()
                        #expect(Self.rows(json, due: due) == want, "\(caller) \(path): \(r.text)")
                    }
                }
                for (caller, path) in [(b, uri + "?ebc=\(a)"), (Parties.stranger, uri + "?ebc=\(a)"), (Parties.platform, uri + "?ebc=\(b)")] {
                    try await client.execute(uri: path, method: .get, headers: .key(keys[caller])) { r in
                        #expect(r.status == .notFound, "\(caller) must not see \(path)")
                        #expect(!r.text.contains("clearedNotSummarised"))
                    }
                }
                try await client.execute(uri: uri, method: .get, headers: .key(nil)) { #expect($0.status == .unauthorized) }
                for bad in [uri + "?ebc=", uri + "?ebc=" + String(repeating: "9", count: 19)] {
                    try await client.execute(uri: bad, method: .get, headers: .key(keys[Parties.ops])) { #expect($0.status == .badRequest, "\(bad)") }
                }
            }
        }
    }

    /// The reminders of a response by enterprise, each row and the body naming `due` and its deadline.
    static func rows(_ json: [String: Any], due: SummaryPeriod) -> [String: Int] {
        #expect(json["period"] as? String == due.description && json["deadline"] as? String == due.deadlineText(), "\(json)")
        var out: [String: Int] = [:]
        for row in json["reminders"] as? [[String: Any]] ?? [] {
            #expect(row["period"] as? String == due.description && row["deadline"] as? String == due.deadlineText())
            out[row["ebcCode"] as? String ?? "?"] = row["clearedNotSummarised"] as? Int
        }
        return out
    }
}
