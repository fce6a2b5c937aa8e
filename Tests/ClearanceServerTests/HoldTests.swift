import ClearanceRules
import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Credit holds through the service on both stores: a message naming a dishonest platform is
/// answered `held`, listed for ops only, released through the API (routed, audited) or refused
/// from the ops page (CSRF, audited); a decided message answers 409.
@Suite("Credit holds")
struct HoldTests {
    @Test("held on arrival, released by ops through the API, refused on the ops page", arguments: TestEngine.allCases)
    func holdReleaseRefuse(_ engine: TestEngine) async throws {
        let h = try await Harness.make(storeURL: try freshURL(engine))
        try await withCleanup({ await h.close() }) {
            let csv = Array("code,grade,source,validFrom,validTo\n\(Parties.platform),失信,公告2026-7,,\n".utf8)
            let entries = try CreditListParser.parse(csv)
            try await h.store.replaceCreditList(entries, record: CreditImport(
                actor: "test", fileName: "list.csv", fileSHA256: SHA256Digest.hex(of: csv), entries: 1, grades: [.dishonest: 1]))
            let orderGuid = "546768EF-9AE7-5A4F-AF1A-01BCCCB09539"
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { r in
                    #expect(r.status == .accepted)
                    let json = try r.json()
                    #expect(json["verdict"] as? String == "held")
                    let issues = json["issues"] as? [[String: Any]] ?? []
                    #expect(issues.first?["code"] as? String == "CRD001")
                }
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.payment]),
                                         body: ByteBuffer(bytes: try sample("CEB411-payment.xml"))) { r in
                    let json = try r.json()
                    #expect(json["verdict"] as? String == "held")
                }
                var paymentGuid = ""
                try await client.execute(uri: "/v1/holds", method: .get, headers: .key(h.keys[Parties.ops])) { r in
                    #expect(r.status == .ok)
                    let list = try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: Any]] ?? []
                    #expect(list.count == 2)
                    #expect(list.first?["guid"] as? String == orderGuid)
                    #expect((list.first?["reasons"] as? [String])?.first?.contains("公告2026-7") == true)
                    paymentGuid = list.last?["guid"] as? String ?? ""
                }
                // Ops only: everybody else sees nothing.
                try await client.execute(uri: "/v1/holds", method: .get, headers: .key(h.keys[Parties.merchant])) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/v1/holds/\(orderGuid)/release", method: .post, headers: .key(h.keys[Parties.platform])) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/v1/holds/\(orderGuid)/release", method: .post, headers: .key(h.keys[Parties.ops])) { r in
                    #expect(r.status == .ok)
                    let json = try r.json()
                    #expect(json["status"] as? String == "routed")
                    #expect(json["destinations"] as? [String] == ["customs"])
                }
                try await client.execute(uri: "/v1/holds/\(orderGuid)/release", method: .post, headers: .key(h.keys[Parties.ops])) { r in
                    #expect(r.status == .conflict)
                    #expect(r.text.contains("CRD003"))
                }
                try await client.execute(uri: "/v1/holds/nope/refuse", method: .post, headers: .key(h.keys[Parties.ops])) { #expect($0.status == .notFound) }

                // The ops page lists the payment with its buttons; refusing needs the session's CSRF token.
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                let csrf = try await ops.csrf(client)
                try await client.execute(uri: "/ops/holds", method: .get, headers: ops.cookie) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains("<form method=\"post\" action=\"/ops/holds/\(paymentGuid)/refuse\"><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"))
                    #expect(!r.text.contains(orderGuid))
                }
                #expect(try await ops.post(client, "/ops/holds/\(paymentGuid)/refuse", form: "").status == .forbidden)
                #expect(try await ops.post(client, "/ops/holds/\(paymentGuid)/refuse", form: "csrf=\(csrf)").status == .seeOther)
                try await client.execute(uri: "/v1/credit", method: .get, headers: .key(h.keys[Parties.ops])) { r in
                    #expect(r.status == .ok)
                    #expect(r.text.contains("\"grade\":\"dishonest\""))
                }
            }
            #expect(try await h.store.declarationStatus(declarationGuid: "9B2CD32B-2B33-5E48-9B82-7A28615E98E0") == .declared)
            #expect(try await h.store.outboxEntries(status: nil, limit: 10).map(\.messageGuid) == [orderGuid])
            let audit = try await h.store.auditEntries(limit: 20)
            #expect(audit.contains { $0.action == "hold.release" && $0.target == orderGuid && $0.actor == Parties.ops })
            #expect(audit.contains { $0.action == "hold.refuse" && $0.actor == Parties.ops })
            #expect(try await h.store.heldMessages(limit: 10).isEmpty)
        }
    }

    @Test("ops upload the list through the API: a bad line refuses it whole, a good one applies to the next message")
    func uploadList() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let header = "code,grade,source,validFrom,validTo\n"
            try await h.application().test(.router) { client in
                let good = ByteBuffer(string: header + "\(Parties.logistics),dishonest,公告2026-9,,\n")
                try await client.execute(uri: "/v1/credit", method: .post, headers: .key(h.keys[Parties.merchant]), body: good) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/v1/credit?name=list-1.csv", method: .post, headers: .key(h.keys[Parties.ops]), body: good) { r in
                    #expect(r.status == .ok)
                    let json = try r.json()
                    #expect(json["entries"] as? Int == 1)
                    #expect(json["fileName"] as? String == "list-1.csv")
                    #expect((json["grades"] as? [String: Int]) == ["dishonest": 1])
                }
                let bad = ByteBuffer(string: header + "\(Parties.logistics),general-credit,x,,\n\(Parties.agent),shady,x,,\n")
                try await client.execute(uri: "/v1/credit", method: .post, headers: .key(h.keys[Parties.ops]), body: bad) { r in
                    #expect(r.status == .unprocessableContent)
                    #expect(r.text.contains("line 3: CRD013"))
                }
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.logistics]),
                                         body: ByteBuffer(bytes: try sample("CEB511-logistics.xml"))) { r in
                    let json = try r.json()
                    #expect(json["verdict"] as? String == "held", "the refused upload left the list as it was")
                }
            }
            #expect(try await h.store.creditImports(limit: 10).count == 1)
            #expect(try await h.store.auditEntries(limit: 10).contains { $0.action == "credit.import" && $0.actor == Parties.ops })
        }
    }
}
