import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Ops pages")
struct OpsPageTests {
    @Test("sign-in cookie, search redirects, shipment and batch pages, dead letter replay (ops only, audited)")
    func pages() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        let opsCookie = "clearance_key=\(h.keys[Parties.ops]!)"
        let merchantCookie = "clearance_key=\(h.keys[Parties.merchant]!)"
        try await h.application().test(.router) { client in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                     body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/ops", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/ops/login?key=\(h.keys[Parties.ops]!)&next=/ops/batches", method: .get) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/ops/batches")
                #expect(r.headers[.setCookie]?.contains("HttpOnly") == true)
                #expect(r.headers[.setCookie]?.contains("SameSite=Strict") == true)
            }
            // An open redirect is not possible.
            try await client.execute(uri: "/ops/login?key=\(h.keys[Parties.ops]!)&next=//evil.example/", method: .get) { r in
                #expect(r.headers[.location] == "/ops")
            }
            try await client.execute(uri: "/ops/login?key=clr_bad", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/ops/search?q=\(Parties.orderNo)", method: .get, headers: [.cookie: merchantCookie]) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/ops/shipments/\(Parties.orderNo)")
            }
            try await client.execute(uri: "/ops/search?q=\(Parties.orderNo)", method: .get,
                                     headers: [.cookie: "clearance_key=\(h.keys[Parties.stranger]!)"]) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/ops/shipments/\(Parties.orderNo)", method: .get, headers: [.cookie: opsCookie]) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(r.text.contains("id=\"timeline\""))
                #expect(r.text.contains("declared"))
                #expect(!r.text.contains("<script"))
            }
        }
        // A dead letter, replayed from the page.
        let claimed = try await h.store.claimOutbox(limit: 10, lease: 30, now: Date())
        let entry = try #require(claimed.first)
        _ = try await h.store.failOutbox(id: entry.id, error: "HTTP 500 from customs", retryAt: nil, now: Date())
        try await h.application().test(.router) { client in
            try await client.execute(uri: "/ops/outbox?status=dead", method: .get, headers: [.cookie: opsCookie]) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("/ops/outbox/\(entry.id)/replay"))
                #expect(r.text.contains("HTTP 500 from customs"))
            }
            try await client.execute(uri: "/ops/outbox", method: .get, headers: [.cookie: merchantCookie]) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/ops/outbox/\(entry.id)/replay", method: .post, headers: [.cookie: merchantCookie]) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/ops/outbox/\(entry.id)/replay", method: .post, headers: [.cookie: opsCookie]) {
                #expect($0.status == .seeOther)
            }
        }
        #expect(try await h.store.outboxEntries(status: .pending, limit: 10).map(\.id) == [entry.id])
        #expect(try await h.store.auditEntries(limit: 10).contains { $0.action == "outbox.replay" && $0.target == String(entry.id) })
    }
}
