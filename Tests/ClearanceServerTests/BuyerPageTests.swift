import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The buyer's page over HTTP: lookup by order number and the last four characters, the parcel behind its
/// link with nothing personal on it, one answer for every failed lookup, rate limits, the API's trackingUrl.
@Suite("Buyer's tracking page")
struct BuyerPageTests {
    /// Posts the Pingtan sample shipment (order, payment, waybill, then the inventory, routed).
    static func loadShipment(_ client: some TestClientProtocol, _ h: Harness) async throws {
        for (party, file) in [(Parties.platform, "CEB311-order.xml"), (Parties.payment, "CEB411-payment.xml"),
                              (Parties.logistics, "CEB511-logistics.xml"), (Parties.agent, "unsigned/CEB621-inventory.xml")] {
            try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[party]),
                                     body: ByteBuffer(bytes: try sample(file))) { #expect($0.status == .accepted, "\(file): \($0.text)") }
        }
    }

    /// The customs release (CEB622, 800) of the sample inventory, posted by customs.
    static func release(_ client: some TestClientProtocol, _ h: Harness) async throws {
        try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.customs]),
                                 body: ByteBuffer(bytes: try h.customsReceipt("CEB622-inventory-return.xml"))) {
            #expect($0.status == .accepted || $0.status == .ok, "\($0.text)")
        }
    }

    static func lookup(_ client: some TestClientProtocol, orderNo: String, code: String, lang: String = "zh") async throws -> TestResponse {
        let body = "orderNo=\(orderNo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&code=\(code)"
        return try await client.execute(uri: "/track?lang=\(lang)", method: .post,
                                        headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
    }

    /// The link a successful lookup goes on to (path only).
    static func link(_ response: TestResponse) -> String? {
        response.headers[.location].map { String($0.prefix { $0 != "?" }) }
    }

    @Test("order number and the last four of the ID or telephone open the parcel: steps in CST, goods, route, tax, nothing personal")
    func lookupShowsTheParcel() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await Self.loadShipment(client, h)
                let byId = try await Self.lookup(client, orderNo: Parties.orderNo, code: String(Parties.buyerId.suffix(4)))
                #expect(byId.status == .seeOther)
                let link = try #require(Self.link(byId))
                #expect(link.hasPrefix("/track/t/") && !link.contains(Parties.orderNo))
                let byPhone = try await Self.lookup(client, orderNo: " \(Parties.orderNo) ", code: String(Parties.buyerPhone.suffix(4)))
                #expect(Self.link(byPhone) == link, "the telephone's last four open the same link")

                let page = try await client.execute(uri: link + "?lang=zh", method: .get)
                #expect(page.status == .ok)
                let html = page.text
                #expect(html.contains("data-step=\"declared\""), "the inventory was routed: declared")
                #expect(html.contains("订单已收到") && html.contains("已向海关申报"))
                #expect(html.contains("+08:00"), "times in China Standard Time with the zone")
                #expect(html.contains("<td>台湾凤梨酥礼盒</td><td>3</td><td>中国台湾</td>") && html.contains("<td>澳洲婴幼儿配方奶粉3段</td><td>2</td><td>澳大利亚</td>"))
                #expect(html.contains("中国台湾 → 澳大利亚 → 平潭 → 福州海关"), "route from the goods' origins, the port and the customs office")
                #expect(html.contains("<script src=\"/track/live.js\""))
                #expect(html.contains("rel=\"manifest\" href=\"/track/manifest.webmanifest\""))
                for secret in [Parties.platform, Parties.payment, Parties.logistics, Parties.agent, Parties.merchant, "陈思远",
                               Parties.buyerId, Parties.buyerPhone, "3501**", "139****", Parties.logisticsNo, "35162026I000012345"] {
                    #expect(!html.contains(secret), "\(secret) is on the buyer's page")
                }

                // A receipt moves the parcel on: released, with the tax charged.
                try await Self.release(client, h)
                let released = try await client.execute(uri: link + "?lang=en", method: .get).text
                #expect(released.contains("data-step=\"released\""), "\(released)")
                #expect(released.contains("Released by customs") && released.contains("Taiwan → Australia → Pingtan → Fuzhou Customs"))
                let tax = try #require(try await h.store.trace(.orderNo(Parties.orderNo))?.declarations.first { $0.kind == .order }?.taxTotal)
                #expect(tax == FixedDecimal("68.43"))
                #expect(released.contains("id=\"tax\">¥68.43<"), "the order's taxTotal, collected from the buyer")
                #expect(released.contains("data-step=\"tax\"><span>Tax · ¥68.43</span><span class=\"when\">"))

                // The page's own files.
                let script = try await client.execute(uri: "/track/live.js", method: .get)
                #expect(script.status == .ok && script.text.contains("EventSource"))
                let manifest = try await client.execute(uri: "/track/manifest.webmanifest", method: .get)
                let json = try manifest.json()
                #expect(json["start_url"] as? String == "/track" && (json["icons"] as? [Any])?.isEmpty == false)
                #expect(try await client.execute(uri: "/track/icon.svg", method: .get).text.hasPrefix("<svg"))
            }
        }
    }

    @Test("a wrong code, an unknown order and malformed input get byte-for-byte the same answer; a forged link is refused")
    func failuresLookAlike() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await Self.loadShipment(client, h)
                let answers = [
                    try await Self.lookup(client, orderNo: Parties.orderNo, code: "9999"),
                    try await Self.lookup(client, orderNo: "PT209900000000", code: String(Parties.buyerId.suffix(4))),
                    try await Self.lookup(client, orderNo: String(repeating: "9", count: 80), code: "12"),
                ]
                for answer in answers {
                    #expect(answer.status == answers[0].status && answer.text == answers[0].text)
                    #expect(answer.headers[.location] == nil)
                    #expect(answer.headers[.contentType] == answers[0].headers[.contentType])
                    #expect(answer.headers[.cacheControl] == answers[0].headers[.cacheControl])
                }
                #expect(answers[0].status == .ok && answers[0].text.contains("id=\"notice\""))
                #expect(!answers[0].text.contains(Parties.orderNo), "the typed order number is not echoed")

                let good = try #require(Self.link(try await Self.lookup(client, orderNo: Parties.orderNo, code: "0024")))
                var forged = Array(good.dropFirst("/track/t/".count))
                forged[forged.count - 1] = forged.last == "A" ? "B" : "A"
                let refused = try await client.execute(uri: "/track/t/\(String(forged))", method: .get)
                #expect(refused.status == .notFound)
                #expect(try await client.execute(uri: "/track/t/\(String(forged))/events", method: .get).status == .notFound)
                #expect(try await client.execute(uri: "/track/t/..%2F..%2Fops", method: .get).status == .notFound)
            }
        }
    }

    @Test("attempts are limited per order number and per client address: 429 with Retry-After, the same for everyone")
    func rateLimited() async throws {
        var configuration = ServerConfiguration()
        configuration.trackAttemptsPerOrder = (burst: 2, perHour: 1)
        configuration.trackAttemptsPerAddress = (burst: 4, perHour: 1)
        let h = try await Harness.make(configuration: configuration)
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await Self.loadShipment(client, h)
                for _ in 0..<2 { #expect(try await Self.lookup(client, orderNo: Parties.orderNo, code: "9999").status == .ok) }
                // The right code no longer helps: the order's attempts are spent.
                let limited = try await Self.lookup(client, orderNo: Parties.orderNo, code: "0024")
                #expect(limited.status == .tooManyRequests)
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
                // Another order number still has its own attempts, until the address's are spent.
                #expect(try await Self.lookup(client, orderNo: "PT209900000001", code: "1111").status == .ok)
                let byAddress = try await Self.lookup(client, orderNo: "PT209900000002", code: "1111")
                #expect(byAddress.status == .tooManyRequests)
                #expect(byAddress.text == limited.text, "one answer for both limits")
            }
        }
    }

    @Test("the API gives the order's own parties its trackingUrl, the one a buyer's lookup leads to; not ops, not strangers")
    func trackingURLInTheAPI() async throws {
        var configuration = ServerConfiguration()
        configuration.publicBaseURL = "https://track.example.cn/"
        let h = try await Harness.make(configuration: configuration)
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await Self.loadShipment(client, h)
                let link = try #require(Self.link(try await Self.lookup(client, orderNo: Parties.orderNo, code: "0024")))
                for party in [Parties.platform, Parties.merchant] {
                    let json = try await client.execute(uri: "/v1/shipments/\(Parties.orderNo)", method: .get, headers: .key(h.keys[party])).json()
                    #expect(json["trackingUrl"] as? String == "https://track.example.cn" + link, "\(party): \(json["trackingUrl"] ?? "none")")
                }
                let ops = try await client.execute(uri: "/v1/shipments/\(Parties.orderNo)", method: .get, headers: .key(h.keys[Parties.ops])).json()
                #expect(ops["trackingUrl"] == nil)
                let stranger = try await client.execute(uri: "/v1/shipments/\(Parties.orderNo)", method: .get, headers: .key(h.keys[Parties.stranger]))
                #expect(stranger.status == .notFound)
            }
        }
    }
}
