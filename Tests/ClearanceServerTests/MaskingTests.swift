import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Masking of buyer ID and telephone numbers")
struct MaskingTests {
    static let raw = [Parties.buyerId, Parties.buyerPhone]

    @Test("API responses, ops pages and log lines never carry the raw numbers; an ops reveal does, and is audited")
    func everywhere() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let guid = "546768EF-9AE7-5A4F-AF1A-01BCCCB09539"
            try await h.application().test(.router) { client in
                let cookie = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!).cookie
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                var bodies: [String] = []
                for uri in ["/v1/shipments/\(Parties.orderNo)", "/v1/shipments/\(Parties.orderNo)/timeline", "/v1/messages/\(guid)"] {
                    for code in [Parties.merchant, Parties.ops] {
                        let r = try await client.execute(uri: uri, method: .get, headers: .key(h.keys[code]))
                        #expect(r.status == .ok)
                        bodies.append(r.text)
                    }
                }
                for uri in ["/ops/shipments/\(Parties.orderNo)", "/ops/messages/\(guid)", "/ops"] {
                    let r = try await client.execute(uri: uri, method: .get, headers: cookie)
                    #expect(r.status == .ok, "\(uri)")
                    bodies.append(r.text)
                }
                for body in bodies {
                    for value in Self.raw { #expect(!body.contains(value), "raw \(value) in \(body.prefix(200))") }
                }
                // The masked forms are there instead.
                #expect(bodies[0].contains("3501**********0024"))
                #expect(bodies[4].contains("<ceb:buyerTelephone>139****2345<"))
                #expect(bodies[7].contains("&lt;ceb:buyerTelephone&gt;139****2345&lt;"))

                // A merchant cannot reveal; ops can, and it is audited.
                try await client.execute(uri: "/v1/messages/\(guid)?reveal=true", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                    #expect(r.status == .notFound)
                }
                try await client.execute(uri: "/v1/messages/\(guid)?reveal=true", method: .get, headers: .key(h.keys[Parties.ops])) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains(Parties.buyerId))
                }
                try await client.execute(uri: "/ops/messages/\(guid)?reveal=1", method: .get, headers: cookie) { r in
                    #expect(r.text.contains(Parties.buyerPhone))
                }
            }
            let audit = try await h.store.auditEntries(limit: 20).filter { $0.action == "reveal" }
            #expect(audit.count == 2 && audit.allSatisfy { $0.actor == Parties.ops && $0.target == guid })
            // Log lines: requests were logged, none with a raw number even when the path carried one.
            try await h.application().test(.router) { client in
                _ = try await client.execute(uri: "/v1/shipments/\(Parties.buyerId)", method: .get, headers: .key(h.keys[Parties.ops]))
            }
            let lines = h.logs.all
            #expect(lines.contains { $0.contains("/v1/shipments/3501**********0024") })
            for line in lines { for value in Self.raw { #expect(!line.contains(value), "\(line)") } }
        }
    }

    @Test("masking helpers: XML elements with any prefix, free text in logs")
    func helpers() throws {
        let xml = "<r xmlns:a=\"urn:a\"><a:buyerIdNumber>350128199003070024</a:buyerIdNumber><telephone>13905912345</telephone><orderNo>PT2026</orderNo></r>"
        let masked = String(decoding: try MaskedXMLWriter.mask(Array(xml.utf8)), as: UTF8.self)
        #expect(masked.contains("<a:buyerIdNumber>3501**********0024</a:buyerIdNumber><telephone>139****2345</telephone><orderNo>PT2026</orderNo>"), "\(masked)")
        #expect(PersonalDataScrubber.scrub("id 350128199003070024, tel 13905912345; guid ABC350128199003070024")
                == "id 3501**********0024, tel 139****2345; guid ABC350128199003070024")
        #expect(PersonalDataScrubber.scrub("x 35012819900307002X.") == "x 3501**********002X.")
    }

    @Test("a message view masks what text search missed: CDATA, character references, comments, CR LF, GBK")
    func maskingBypasses() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            var text = String(decoding: try sample("CEB311-order.xml"), as: UTF8.self)
            text = text.replacingOccurrences(of: "<ceb:buyerIdNumber>\(Parties.buyerId)</ceb:buyerIdNumber>",
                                             with: "<ceb:buyerIdNumber><![CDATA[\(Parties.buyerId)]]></ceb:buyerIdNumber>")
            text = text.replacingOccurrences(of: "<ceb:buyerTelephone>\(Parties.buyerPhone)</ceb:buyerTelephone>",
                                             with: "<ceb:buyerTelephone>&#49;3905912345</ceb:buyerTelephone><!-- call +86 139 0591 2345 -->")
            text = text.replacingOccurrences(of: "\n", with: "\r\n")
            let body = Array(text.utf8)
            try await h.application().test(.router) { client in
                let r = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                                 body: ByteBuffer(bytes: body))
                #expect(r.status == .accepted, "\(r.text)")
                let guid = try #require(try r.json()["guid"] as? String)
                let shown = try await client.execute(uri: "/v1/messages/\(guid)", method: .get, headers: .key(h.keys[Parties.platform]))
                let xml = try #require(try shown.json()["xml"] as? String)
                for raw in [Parties.buyerId, Parties.buyerPhone, "3905912345", "139 0591 2345"] { #expect(!xml.contains(raw), "\(raw) in \(xml)") }
                #expect(xml.contains("3501**********0024"))
            }
        }
    }
}
