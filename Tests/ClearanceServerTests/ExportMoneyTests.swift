import ClearanceRouting
import ClearanceServer
import ClearanceTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Who may read an enterprise's export money data and in which forms, through the real router on
/// both stores. The figures themselves are checked against an exported month on both stores in
/// ClearanceRoutingTests' ExportSummaryTests.
@Suite("Export money routes", .serialized)
struct ExportMoneyTests {
    /// Each dataset, with the start of its CSV header and the list its JSON holds.
    static let datasets = [("tax-refund", "entryId,exportDate,decState,", "declarations"),
                           ("fx-settlement", "orderNo,standing,currency,exported,received,", "orders")]

    @Test("tax refund and FX settlement: the enterprise itself and ops read JSON or CSV; anyone else 404; a bad period or no ebc 400",
          arguments: TestEngine.allCases)
    func datasetAccess(_ engine: TestEngine) async throws {
        let h = try await Harness.make(storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                for (name, header, list) in Self.datasets {
                    let own = "/v1/\(name)?ebc=\(Parties.merchant)&period=2026-10"
                    for party in [Parties.merchant, Parties.ops] {
                        try await client.execute(uri: own, method: .get, headers: .key(h.keys[party])) { r in
                            #expect(r.status == .ok, "\(party): \(r.text)")
                            let json = try r.json()
                            #expect(json["ebcCode"] as? String == Parties.merchant && json["period"] as? String == "2026-10")
                            #expect((json[list] as? [Any])?.isEmpty == true, "\(name)")
                        }
                    }
                    for (uri, headers) in [(own + "&format=csv", HTTPFields.key(h.keys[Parties.merchant])),
                                           (own, HTTPFields.key(h.keys[Parties.merchant], [.accept: "text/csv"])),
                                           (own.replacingOccurrences(of: "\(name)?", with: "\(name).csv?"), HTTPFields.key(h.keys[Parties.merchant]))] {
                        try await client.execute(uri: uri, method: .get, headers: headers) { r in
                            #expect(r.status == .ok)
                            #expect(r.headers[.contentType]?.hasPrefix("text/csv") == true, "\(uri)")
                            #expect(r.text.hasPrefix(header) && r.text.hasSuffix("\r\n"), "\(r.text)")
                        }
                    }
                    try await client.execute(uri: own, method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                        #expect(r.status == .notFound, "another enterprise's data is not there for a stranger")
                    }
                    try await client.execute(uri: own, method: .get, headers: .key(nil)) { r in
                        #expect(r.status == .unauthorized)
                    }
                    for bad in ["/v1/\(name)?ebc=\(Parties.merchant)&period=2026-13", "/v1/\(name)?period=2026-10",
                                "/v1/\(name)?ebc=\(Parties.merchant)"] {
                        try await client.execute(uri: bad, method: .get, headers: .key(h.keys[Parties.ops])) { r in
                            #expect(r.status == .badRequest, "\(bad)")
                        }
                    }
                }
            }
        }
    }

    @Test("the FX settlement ops page: a month's orders paid and not yet released show as paid-not-exported, sums by currency; ops only",
          arguments: TestEngine.allCases)
    func fxSettlementPage(_ engine: TestEngine) async throws {
        let h = try await Harness.make(storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            let month = ExportMonth.make(count: 6, seed: engine == .sqlite ? 51 : 52)
            let ebc = ExportMonth.enterprises[0]
            for s in month.shipments {
                for bytes in [ExportMonth.order(s), ExportMonth.paymentReceipt(s), ExportMonth.waybill(s), ExportMonth.inventory(s)] {
                    let outcome = try await h.environment.flow.accept(bytes)
                    #expect(outcome.status == .routed(["customs"]), "\(outcome.summary) \(outcome.issues)")
                }
            }
            let paid = month.shipments.filter { $0.ebcCode == ebc }
            try await h.application().test(.router) { client in
                let ops = try await OpsSignIn.signIn(client, key: try #require(h.keys[Parties.ops]))
                let uri = "/ops/fx-settlement?ebc=\(ebc)&period=2026-10&lang=en"
                let page = try await client.execute(uri: uri, method: .get, headers: ops.cookie)
                #expect(page.status == .ok)
                // Every receipt is made in October (appTime): each of the enterprise's orders is paid, none released yet.
                for s in paid { #expect(page.text.contains(">\(s.orderNo)</a>"), "\(s.orderNo)") }
                #expect(page.text.components(separatedBy: "</a></td><td><span class=\"status status-paid-not-exported\">").count - 1 == paid.count)
                var received: [String: Decimal] = [:]
                for s in paid { received[s.lines[0].currency, default: 0] += Decimal(string: ExportMonth.goodsValue(s))! }
                for (currency, value) in received {
                    let text = String(format: "%.2f", NSDecimalNumber(decimal: value).doubleValue)
                    #expect(page.text.contains("<tr><td>\(currency)</td><td>0.00</td><td>\(text)</td><td>-\(text)</td></tr>"), "\(currency) \(text)")
                }
                let empty = try await client.execute(uri: "/ops/fx-settlement?lang=zh", method: .get, headers: ops.cookie)
                #expect(empty.status == .ok && empty.text.contains("收汇核对") && !empty.text.contains("id=\"fx-orders\""))
                let bad = try await client.execute(uri: "/ops/fx-settlement?ebc=\(ebc)&period=2026-13&lang=en", method: .get, headers: ops.cookie)
                #expect(bad.status == .ok && bad.text.contains("The month must be YYYY-MM"))
                let merchant = try await client.execute(uri: uri, method: .get, headers: .key(h.keys[ebc] ?? h.keys[Parties.merchant]))
                #expect(merchant.status == .notFound || merchant.status == .unauthorized, "ops pages are for ops")
            }
        }
    }
}
