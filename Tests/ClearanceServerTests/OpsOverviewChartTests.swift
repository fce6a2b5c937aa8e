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
                    #expect(r.text.contains("<td>91350526MA8U2F0N32</td><td>1</td><td>\(month): \(month.deadlineText())</td>"), "\(r.text)")
                }
            }
        }
    }
}
