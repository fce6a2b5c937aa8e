import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Authentication and visibility")
struct AuthTests {
    @Test("401 without a key, with a malformed key and with a revoked key; public routes stay open")
    func unauthenticated() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let app = try h.application()
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/shipments/\(Parties.orderNo)", method: .get) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/v1/receipts", method: .get, headers: .key("not-a-key")) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/v1/receipts", method: .get, headers: .key("clr_" + String(repeating: "0", count: 48))) {
                    #expect($0.status == .unauthorized)
                }
                try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/v1/receipts", method: .get, headers: .key(h.keys[Parties.merchant])) { #expect($0.status == .ok) }
            }
            let key = try #require(h.keys[Parties.merchant])
            #expect(try await EnterpriseAdmin(store: h.store).revokeKey(enterpriseCode: Parties.merchant, prefix: APIKey.prefix(of: key), actor: "test") == 1)
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/receipts", method: .get, headers: .key(key)) { #expect($0.status == .unauthorized) }
            }
            #expect(try await h.store.auditEntries(limit: 50).contains { $0.action == "key.revoke" && $0.target == Parties.merchant })
        }
    }

    @Test("a merchant sees shipments naming its code; another merchant gets 404, not 403; ops see all")
    func visibility() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let app = try h.application()
            try await app.test(.router) { client in
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                for key in [Parties.orderNo] {
                    try await client.execute(uri: "/v1/shipments/\(key)", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                        #expect(r.status == .ok)
                        #expect(r.text.contains(Parties.orderNo))
                    }
                    try await client.execute(uri: "/v1/shipments/\(key)", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                        #expect(r.status == .notFound)
                    }
                    try await client.execute(uri: "/v1/shipments/\(key)/timeline", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                        #expect(r.status == .notFound)
                    }
                    try await client.execute(uri: "/v1/shipments/\(key)", method: .get, headers: .key(h.keys[Parties.ops])) { r in
                        #expect(r.status == .ok)
                    }
                }
                // Unknown shipments look exactly like hidden ones.
                try await client.execute(uri: "/v1/shipments/NOSUCHORDER", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                    #expect(r.status == .notFound)
                }
                let guid = "546768EF-9AE7-5A4F-AF1A-01BCCCB09539"
                try await client.execute(uri: "/v1/messages/\(guid)", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                    #expect(r.status == .notFound)
                }
                try await client.execute(uri: "/v1/messages/\(guid)", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                    #expect(r.status == .ok)
                }
                // Ops-only routes are 404 for merchants.
                try await client.execute(uri: "/v1/outbox", method: .get, headers: .key(h.keys[Parties.merchant])) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/v1/outbox", method: .get, headers: .key(h.keys[Parties.ops])) { #expect($0.status == .ok) }
            }
        }
    }

    @Test("per-key rate limit answers 429 with Retry-After")
    func rateLimit() async throws {
        let h = try await Harness.make(configuration: ServerConfiguration(rateLimitPerSecond: 0.01, rateLimitBurst: 3))
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<5 {
                    try await client.execute(uri: "/v1/receipts", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                        statuses.append(r.status)
                        if r.status == .tooManyRequests { #expect(r.headers[.retryAfter] != nil) }
                    }
                }
                #expect(statuses == [.ok, .ok, .ok, .tooManyRequests, .tooManyRequests])
                // Another key has its own bucket.
                try await client.execute(uri: "/v1/receipts", method: .get, headers: .key(h.keys[Parties.stranger])) { #expect($0.status == .ok) }
            }
        }
    }
}
