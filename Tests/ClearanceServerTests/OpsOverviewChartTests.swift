import ClearanceRouting
import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The overview's charts, drawn on the server as SVG, against a known data set.
@Suite("Ops overview charts")
struct OpsOverviewChartTests {
    /// `(label, count)` of every bar of the chart in the figure `id`.
    static func bars(_ html: String, figure id: String) -> [(String, Int)] {
        guard let start = html.range(of: "<figure id=\"\(id)\">"), let end = html[start.upperBound...].range(of: "</figure>") else { return [] }
        return html[start.upperBound..<end.lowerBound].matches(of: /data-label="([^"]*)" data-count="([0-9]+)"/)
            .map { (String($0.output.1), Int($0.output.2) ?? -1) }
    }

    @Test("declarations by status and outbox by status show the store's counts; outbox bars link to their rows")
    func chartsShowTheStoresCounts() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                for (party, file) in [(Parties.platform, "CEB311-order.xml"), (Parties.payment, "CEB411-payment.xml"),
                                      (Parties.logistics, "CEB511-logistics.xml")] {
                    try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[party]),
                                             body: ByteBuffer(bytes: try sample(file))) { #expect($0.status == .accepted) }
                }
                let stats = try await h.store.stats()
                try await client.execute(uri: "/ops", method: .get, headers: ops.cookie) { r in
                    #expect(r.status == .ok)
                    let declarations = Self.bars(r.text, figure: "declarations-chart")
                    #expect(declarations.map(\.1).reduce(0, +) == 3 && stats.declarationTotal == 3, "\(declarations)")
                    var expected: [String: Int] = [:]
                    for d in stats.declarations { expected[d.status, default: 0] += d.count }
                    #expect(declarations.count == expected.count)
                    let outbox = Self.bars(r.text, figure: "outbox-chart")
                    #expect(outbox.map(\.0) == OutboxStatus.allCases.map(\.rawValue))
                    #expect(outbox.map(\.1) == OutboxStatus.allCases.map { stats.outbox[$0] ?? 0 })
                    #expect(outbox.map(\.1).reduce(0, +) > 0, "the three messages were routed somewhere")
                    #expect(r.text.contains("<a href=\"/ops/outbox?status=pending\">"))
                    #expect(r.text.contains("<svg class=\"chart\"") && !r.text.contains("<script"))
                }
            }
        }
    }

    /// `name → values` of every series of the time chart in the figure `id`.
    static func series(_ html: String, figure id: String) -> [String: [Double]] {
        guard let start = html.range(of: "<figure id=\"\(id)\">"), let end = html[start.upperBound...].range(of: "</figure>") else { return [:] }
        var out: [String: [Double]] = [:]
        for group in html[start.upperBound..<end.lowerBound].split(separator: "<g class=\"series\"").dropFirst() {
            guard let name = group.firstMatch(of: /data-name="([^"]*)"/)?.output.1 else { continue }
            out[String(name)] = group.matches(of: /data-value="([0-9.]+)"/).compactMap { Double($0.output.1) }
        }
        return out
    }

    @Test("time charts: messages per minute by type, the release time and the receipts behind it, outbox depth; each links to its rows")
    func timeChartsShowTheStoresRows() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                try await BuyerPageTests.loadShipment(client, h)
                try await BuyerPageTests.release(client, h)
                let stats = try await h.store.stats()
                let html = try await client.execute(uri: "/ops", method: .get, headers: ops.cookie).text

                // Messages per minute: every message of the last hour counted once, by type.
                let messages = Self.series(html, figure: "messages-chart")
                var expected: [String: Double] = [:]
                for m in stats.messages { expected[m.messageType, default: 0] += Double(m.count) }
                #expect(messages.mapValues { $0.reduce(0, +) } == expected, "\(messages)")
                #expect(expected["CEB622"] == 1 && expected["CEB621"] == 1)

                // One release in the last day: one hour has a median and a p95, both the same single sample.
                let release = Self.series(html, figure: "release-chart")
                #expect(release.values.map(\.count) == [1, 1], "\(release)")
                let receipts = Self.series(html, figure: "receipt-lag-chart")
                #expect(receipts.values.map(\.count).reduce(0, +) >= 2, "the 800 receipt's lag has a point per line")

                // Outbox depth at the last hour's end is what waits now.
                let outbox = Self.series(html, figure: "outbox-time-chart")
                let depth = Double((stats.outbox[.pending] ?? 0) + (stats.outbox[.inFlight] ?? 0))
                #expect(outbox.values.allSatisfy { $0.count == 24 })
                #expect(outbox["outbox to deliver"]?.last == depth, "\(outbox)")
                #expect(outbox["Dead letters"]?.last == Double(stats.outbox[.dead] ?? 0))
                for link in ["/ops/charts/releases", "/ops/charts/receipts", "/ops/outbox", "/ops/charts/messages"] {
                    #expect(html.contains("<a href=\"\(link)\"><svg"), "\(link)")
                }

                // The rows behind them.
                let rows = try await client.execute(uri: "/ops/charts/releases", method: .get, headers: ops.cookie)
                #expect(rows.status == .ok)
                #expect(rows.text.components(separatedBy: "<a href=\"/ops/shipments/\(Parties.orderNo)\">").count - 1 == 1)
                let receiptRows = try await client.execute(uri: "/ops/charts/receipts", method: .get, headers: ops.cookie).text
                #expect(receiptRows.contains("800"))
                let messageRows = try await client.execute(uri: "/ops/charts/messages", method: .get, headers: ops.cookie).text
                #expect(messageRows.contains("CEB621"))
                #expect(try await client.execute(uri: "/ops/charts/nothing", method: .get, headers: ops.cookie).status == .notFound)
                let merchant = try await OpsSignIn.signIn(client, key: h.keys[Parties.merchant]!)
                #expect(try await client.execute(uri: "/ops/charts/releases", method: .get, headers: merchant.cookie).status == .notFound)
            }
        }
    }

    @Test("an export inventory customs cleared and no summary has taken yet shows with last month's summary deadline")
    func exportsToSummariseShow() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                try await client.execute(uri: "/ops", method: .get, headers: ops.cookie) { r in
                    #expect(!r.text.contains("exports-to-summarise"), "nothing to summarise yet")
                }
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.agent]),
                                         body: ByteBuffer(bytes: try sample("CEB603-export-inventory.xml"))) { #expect($0.status == .accepted) }
                let cleared = String(decoding: try sample("CEB604-export-inventory-return.xml"), as: UTF8.self)
                    .replacingOccurrences(of: "<ceb:returnStatus>120</ceb:returnStatus>", with: "<ceb:returnStatus>899</ceb:returnStatus>")
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.customs]),
                                         body: ByteBuffer(bytes: try h.customs.sign(bytes: Array(cleared.utf8)))) { #expect($0.status == .accepted) }
                let stats = try await h.store.stats()
                #expect(stats.exportsToSummarise.map(\.count) == [1], "\(stats.exportsToSummarise)")
                try await client.execute(uri: "/ops", method: .get, headers: ops.cookie) { r in
                    let month = SummaryPeriod.previous(to: Date())
                    #expect(r.text.contains("<table id=\"exports-to-summarise\">"))
                    // The enterprise links to its foreign-exchange settlement for the month.
                    #expect(r.text.contains("<td><a href=\"/ops/fx-settlement?ebc=91350526MA8U2F0N32&amp;period=\(month)\">91350526MA8U2F0N32</a></td>"
                                            + "<td>1</td><td>\(month): \(month.deadlineText())</td>"), "\(r.text)")
                }
            }
        }
    }
}
