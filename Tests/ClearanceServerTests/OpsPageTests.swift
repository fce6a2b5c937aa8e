import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Ops pages")
struct OpsPageTests {
    @Test("search redirects, shipment and batch pages, dead letter replay (ops only, CSRF token, audited)")
    func pages() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                let merchant = try await OpsSignIn.signIn(client, key: h.keys[Parties.merchant]!)
                let stranger = try await OpsSignIn.signIn(client, key: h.keys[Parties.stranger]!)
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                try await client.execute(uri: "/ops", method: .get) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/ops/search?q=\(Parties.orderNo)", method: .get, headers: merchant.cookie) { r in
                    #expect(r.status == .seeOther)
                    #expect(r.headers[.location] == "/ops/shipments/\(Parties.orderNo)")
                }
                try await client.execute(uri: "/ops/search?q=\(Parties.orderNo)", method: .get, headers: stranger.cookie) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/ops/shipments/\(Parties.orderNo)", method: .get, headers: ops.cookie) { r in
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
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                let merchant = try await OpsSignIn.signIn(client, key: h.keys[Parties.merchant]!)
                let csrf = try await ops.csrf(client)
                try await client.execute(uri: "/ops/outbox?status=dead", method: .get, headers: ops.cookie) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains("<form method=\"post\" action=\"/ops/outbox/\(entry.id)/replay\"><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"))
                    #expect(r.text.contains("HTTP 500 from customs"))
                }
                try await client.execute(uri: "/ops/outbox", method: .get, headers: merchant.cookie) { #expect($0.status == .notFound) }
                #expect(try await merchant.post(client, "/ops/outbox/\(entry.id)/replay", form: "csrf=\(try await merchant.csrf(client))").status == .notFound)
                // Without the form's token, or with another session's, the replay is refused.
                #expect(try await ops.post(client, "/ops/outbox/\(entry.id)/replay", form: "").status == .forbidden)
                #expect(try await ops.post(client, "/ops/outbox/\(entry.id)/replay", form: "csrf=\(try await merchant.csrf(client))").status == .forbidden)
                // A key header is no session: it cannot post the pages' forms either.
                try await client.execute(uri: "/ops/outbox/\(entry.id)/replay", method: .post, headers: .key(h.keys[Parties.ops])) {
                    #expect($0.status == .forbidden)
                }
                #expect(try await h.store.outboxEntries(status: .dead, limit: 10).map(\.id) == [entry.id])
                #expect(try await ops.post(client, "/ops/outbox/\(entry.id)/replay", form: "csrf=\(csrf)").status == .seeOther)
                // The row is pending again: a second replay is a conflict (not a server error), on the page and the API.
                #expect(try await ops.post(client, "/ops/outbox/\(entry.id)/replay", form: "csrf=\(csrf)").status == .conflict)
                try await client.execute(uri: "/v1/outbox/\(entry.id)/replay", method: .post, headers: .key(h.keys[Parties.ops])) {
                    #expect($0.status == .conflict)
                }
                try await client.execute(uri: "/v1/outbox/9999/replay", method: .post, headers: .key(h.keys[Parties.ops])) {
                    #expect($0.status == .notFound)
                }
            }
            #expect(try await h.store.outboxEntries(status: .pending, limit: 10).map(\.id) == [entry.id])
            #expect(try await h.store.auditEntries(limit: 10).contains { $0.action == "outbox.replay" && $0.target == String(entry.id) })
        }
    }

    @Test("sign-in by form only: hashed expiring session cookie (HttpOnly, SameSite=Strict, Secure behind a trusted proxy), CSRF, sign-out, key revocation",
          arguments: TestEngine.allCases)
    func signIn(engine: TestEngine) async throws {
        let h = try await Harness.make(configuration: ServerConfiguration(trustForwardedProto: true), storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            let opsKey = h.keys[Parties.ops]!
            try await h.application().test(.router) { client in
                // A key in the URL signs no one in.
                try await client.execute(uri: "/ops/login?key=\(opsKey)", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(OpsSignIn.cookieValue("clearance_session", in: r) == nil)
                }
                // Nor does the key as a cookie (it used to be one).
                try await client.execute(uri: "/ops", method: .get, headers: [.cookie: "clearance_key=\(opsKey)"]) { #expect($0.status == .unauthorized) }
                // The sign-in form itself needs its double-submit token.
                let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                try await client.execute(uri: "/ops/login", method: .post, headers: form, body: ByteBuffer(string: "key=\(opsKey)")) { r in
                    #expect(r.status == .forbidden)
                    #expect(OpsSignIn.cookieValue("clearance_session", in: r) == nil)
                }
                var forged = form
                forged[.cookie] = "clearance_login=\(String(repeating: "a", count: 64))"
                try await client.execute(uri: "/ops/login", method: .post, headers: forged,
                                         body: ByteBuffer(string: "csrf=\(String(repeating: "b", count: 64))&key=\(opsKey)")) { #expect($0.status == .forbidden) }
                var wrongKey = form
                wrongKey[.cookie] = "clearance_login=\(String(repeating: "a", count: 64))"
                try await client.execute(uri: "/ops/login", method: .post, headers: wrongKey,
                                         body: ByteBuffer(string: "csrf=\(String(repeating: "a", count: 64))&key=clr_bad")) { #expect($0.status == .unauthorized) }

                // Plain HTTP: HttpOnly, SameSite=Strict, path /ops, expiring, not Secure; only the token's hash is stored.
                let plain = try await OpsSignIn.signIn(client, key: opsKey, next: "/ops/batches")
                #expect(plain.setCookie.contains("HttpOnly") && plain.setCookie.contains("SameSite=Strict"))
                #expect(plain.setCookie.contains("Path=/ops") && plain.setCookie.contains("Max-Age=28800"))
                #expect(!plain.setCookie.contains("Secure"))
                #expect(!plain.setCookie.contains(opsKey) && plain.token.count == 64)
                #expect(try await h.store.opsSession(tokenHash: plain.token, now: Date()) == nil)
                #expect(try await h.store.opsSession(tokenHash: APIKey.hash("session:" + plain.token), now: Date())?.enterprise.code == Parties.ops)
                #expect(try await h.store.opsSession(tokenHash: APIKey.hash("session:" + plain.token), now: Date().addingTimeInterval(28_801)) == nil)
                try await client.execute(uri: "/ops", method: .get, headers: plain.cookie) { #expect($0.status == .ok) }
                // The session cookie is for the pages only: the API does not take it.
                try await client.execute(uri: "/v1/outbox", method: .get, headers: plain.cookie) { #expect($0.status == .unauthorized) }
                // Behind a trusted proxy that says https, the cookie is Secure.
                let proxied = try await OpsSignIn.signIn(client, key: opsKey, headers: [.init("X-Forwarded-Proto")!: "https"])
                #expect(proxied.setCookie.contains("Secure"))

                // An open redirect is not possible.
                let login = try await client.execute(uri: "/ops/login?next=//evil.example/", method: .get)
                #expect(!login.text.contains("evil.example"))

                // Sign-out needs the token and ends the session.
                #expect(try await plain.post(client, "/ops/logout", form: "").status == .forbidden)
                let out = try await plain.post(client, "/ops/logout", form: "csrf=\(try await plain.csrf(client))")
                #expect(out.status == .seeOther && out.headers[values: .setCookie].contains { $0.hasPrefix("clearance_session=;") && $0.contains("Max-Age=0") })
                try await client.execute(uri: "/ops", method: .get, headers: plain.cookie) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/ops", method: .get, headers: proxied.cookie) { #expect($0.status == .ok) }
                // Revoking the key ends the sessions opened with it.
                _ = try await EnterpriseAdmin(store: h.store).revokeKey(enterpriseCode: Parties.ops, prefix: String(opsKey.prefix(12)), actor: "test")
                try await client.execute(uri: "/ops", method: .get, headers: proxied.cookie) { #expect($0.status == .unauthorized) }
            }
            #expect(try await h.store.auditEntries(limit: 20).filter { $0.action == "ops.sign-in" }.count == 2)
        }
    }
}
