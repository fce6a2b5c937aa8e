import HTTPTypes
import CEBModel
import ClearanceRouting
import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import XMLSignature

/// The attacks of the trust issue, each through the real service: receipts from anyone but the
/// authority (or unsigned, or signed by another key, or from the future, or from another
/// authority), squatted order numbers, a rival's inventory quoting another's numbers, and
/// batches that skip the signature gate.
@Suite("Trust between enterprises")
struct TrustTests {
    /// A sample with its texts replaced and a fresh envelope guid.
    static func variant(_ name: String, _ replacements: [(String, String)], guid: String = UUID().uuidString) throws -> [UInt8] {
        var text = String(decoding: try sample(name), as: UTF8.self)
        for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
        if let range = text.range(of: #"Message guid=""#), let end = text[range.upperBound...].firstIndex(of: "\"") {
            text.replaceSubrange(range.upperBound..<end, with: guid)
        }
        return Array(text.utf8)
    }

    private func post(_ client: some TestClientProtocol, _ key: String?, _ bytes: [UInt8]) async throws -> (HTTPResponse.Status, [String: Any]) {
        let r = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(key), body: ByteBuffer(bytes: bytes))
        return (r.status, (try? r.json()) ?? [:])
    }

    private func orderStatus(_ h: Harness) async throws -> String? {
        try await h.store.trace(.orderNo(Parties.orderNo))?.declarations.first { $0.kind == .order }?.status
    }

    private func codes(_ json: [String: Any]) -> [String] {
        (json["issues"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    @Test("a receipt forged by a non-authority key is refused and moves nothing")
    func forgedByNonAuthority() async throws {
        let h = try await Harness.make()
        try await h.application().test(.router) { client in
            _ = try await post(client, h.keys[Parties.platform], try sample("CEB311-order.xml"))
            let before = try await orderStatus(h)
            for forger in [Parties.logistics, Parties.payment, Parties.merchant] {
                // Even signed by the forger's own registered key.
                let signer = try await h.signer(for: forger, register: true)
                let forged = try signer.sign(bytes: try Self.variant("CEB312-order-return.xml", [("20261125093601123", "20991231235959000")]))
                let (status, json) = try await post(client, h.keys[forger], forged)
                #expect(status == .forbidden, "\(forger): \(json)")
                #expect(codes(json) == ["RCP001"])
            }
            #expect(try await orderStatus(h) == before)
            #expect(try await h.store.trace(.orderNo(Parties.orderNo))?.receipts.isEmpty == true)
        }
        await h.close()
    }

    @Test("an unsigned receipt, or one signed by another key, is refused even from the authority's account")
    func unsignedOrWronglySigned() async throws {
        let h = try await Harness.make()
        try await h.application().test(.router) { client in
            _ = try await post(client, h.keys[Parties.platform], try sample("CEB311-order.xml"))
            let (unsignedStatus, unsigned) = try await post(client, h.keys[Parties.customs], try sample("CEB312-order-return.xml"))
            #expect(unsignedStatus == .unprocessableContent)
            #expect(codes(unsigned) == ["SIG001"])
            let impostor = try await h.signer(for: Parties.stranger, register: false)
            let (wrongStatus, wrong) = try await post(
                client, h.keys[Parties.customs], try impostor.sign(bytes: try Self.variant("CEB312-order-return.xml", [])))
            #expect(wrongStatus == .unprocessableContent)
            #expect(codes(wrong) == ["SIG003"])
            #expect(wrong["signature"] as? String == "invalid")
            #expect(try await orderStatus(h) == "declared")
            // The genuine one moves it.
            let (okStatus, ok) = try await post(client, h.keys[Parties.customs], try h.customsReceipt("CEB312-order-return.xml"))
            #expect(okStatus == .accepted, "\(ok)")
            #expect(ok["signature"] as? String == "valid")
            #expect(try await orderStatus(h) == "2")
        }
        await h.close()
    }

    @Test("a receipt from the future, or from an authority the declaration was not sent to, moves nothing")
    func futureAndWrongAuthority() async throws {
        let h = try await Harness.make()
        // An inspection authority, correctly signed, and a cross-strait channel with no destination here.
        let admin = EnterpriseAdmin(store: h.store)
        var created: [String: String] = [:]
        for (code, kind) in [("CIQ-TEST", AuthorityKind.inspection), ("PINGTAN-TEST", .crossStrait)] {
            try await admin.addEnterprise(EnterpriseRecord(code: code, name: code, role: .authority, authority: kind), actor: "test")
            created[code] = try await admin.createKey(enterpriseCode: code, actor: "test").key
        }
        let keys = created
        try await h.application().test(.router) { client in
            _ = try await post(client, h.keys[Parties.platform], try sample("CEB311-order.xml"))
            let future = try h.customs.sign(bytes: try Self.variant("CEB312-order-return.xml", [("20261125093601123", ChinaTime.cebTime(Date().addingTimeInterval(3600)))]))
            let (futureStatus, futureJSON) = try await post(client, h.keys[Parties.customs], future)
            #expect(futureStatus == .unprocessableContent)
            #expect(codes(futureJSON) == ["RCP003"])

            let inspection = try await h.signer(for: "CIQ-TEST", register: true)
            let (ciqStatus, ciq) = try await post(client, keys["CIQ-TEST"], try inspection.sign(bytes: try Self.variant("CEB312-order-return.xml", [])))
            #expect(ciqStatus == .unprocessableContent)
            #expect(codes(ciq) == ["RCP002"])

            let channel = try await h.signer(for: "PINGTAN-TEST", register: true)
            let (channelStatus, relayed) = try await post(client, keys["PINGTAN-TEST"], try channel.sign(bytes: try Self.variant("CEB312-order-return.xml", [])))
            #expect(channelStatus == .accepted)
            #expect(relayed["receipts"] as? [String] == ["2 (unmatched)"], "\(relayed)")
            #expect(try await orderStatus(h) == "declared")
        }
        await h.close()
    }

    @Test("another enterprise cannot squat an order number: the rightful order is still accepted")
    func squattedOrderNumber() async throws {
        let h = try await Harness.make()
        try await h.application().test(.router) { client in
            // The stranger sends an order with the platform's number, naming itself as sender.
            let squat = try Self.variant("CEB311-order.xml", [
                ("<ceb:copCode>\(Parties.platform)</ceb:copCode>", "<ceb:copCode>\(Parties.stranger)</ceb:copCode>"),
                ("9B2CD32B-2B33-5E48-9B82-7A28615E98E0", UUID().uuidString),
            ])
            let (squatStatus, squatJSON) = try await post(client, h.keys[Parties.stranger], squat)
            #expect(squatStatus == .accepted, "\(squatJSON)")
            let (status, json) = try await post(client, h.keys[Parties.platform], try sample("CEB311-order.xml"))
            #expect(status == .accepted, "\(json)")
            #expect(json["verdict"] as? String == "routed")
            #expect(!codes(json).contains { $0.hasPrefix("LIF") })
        }
        await h.close()
    }

    @Test("a rival's inventory quoting another's orderNo and logisticsNo waits for its own documents and learns nothing")
    func rivalInventorySeesNothing() async throws {
        let h = try await Harness.make()
        try await h.application().test(.router) { client in
            for (party, name) in [(Parties.platform, "CEB311-order.xml"), (Parties.payment, "CEB411-payment.xml"), (Parties.logistics, "CEB511-logistics.xml")] {
                let (status, json) = try await post(client, h.keys[party], try sample(name))
                #expect(status == .accepted, "\(json)")
            }
            // The rival's inventory: the victim's numbers, its own platform, merchant, logistics
            // and agent, and another buyer name.
            let rival = try Self.variant("unsigned/CEB621-inventory.xml", [
                (Parties.platform, Parties.stranger), (Parties.merchant, Parties.stranger), (Parties.logistics, Parties.stranger),
                (Parties.agent, Parties.stranger), ("陈思远", "王五"), ("PTQD202611250001", "RIVAL0000000001"),
                ("E474D724-D4D9-51CD-A2E5-760A0F326289", UUID().uuidString),
            ])
            let (status, json) = try await post(client, h.keys[Parties.stranger], rival)
            #expect(status == .accepted, "\(json)")
            #expect(json["verdict"] as? String == "awaiting", "\(json)")
            let shown = try await client.execute(
                uri: "/v1/shipments/RIVAL0000000001/timeline", method: .get, headers: .key(h.keys[Parties.stranger]))
            let everything = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self) + shown.text
            for secret in [Parties.platform, Parties.merchant, Parties.logistics, Parties.payment, "陈思远"] {
                #expect(!everything.contains(secret), "\(secret) leaked: \(everything)")
            }
            #expect(!h.logs.all.joined(separator: "\n").contains("陈思远"))
            // The victim's own inventory still matches its documents.
            let (ownStatus, own) = try await post(client, h.keys[Parties.agent], try sample("unsigned/CEB621-inventory.xml"))
            #expect(ownStatus == .accepted)
            #expect(own["verdict"] as? String == "routed", "\(own)")
            // The unsigned inventory is taken: customs' required signature is added on the way out, and the verdict says so.
            #expect(codes(own).contains("SIG100"), "\(own)")
        }
        await h.close()
    }

    @Test("a batch from an enterprise with a registered certificate: unsigned or signed by another key is refused, nothing forwarded; the same orders sent again correctly signed go")
    func batchSignatureGate() async throws {
        let h = try await Harness.make(configuration: BatchTests.synchronous)
        let own = try await h.signer(for: Parties.merchant, register: true)
        let other = try await h.signer(for: Parties.stranger, register: false)
        try await h.application().test(.router) { client in
            func batch(_ prefix: String) throws -> [UInt8] {
                Array(String(decoding: try orderBatch(count: 3), as: UTF8.self).replacingOccurrences(of: "PTB", with: prefix).utf8)
            }
            let cases: [(String, [UInt8], String, String?)] = [
                ("unsigned", try batch("PTU"), "unsigned", "SIG001"),
                ("other-key", try other.sign(bytes: try batch("PTO")), "invalid", "SIG003"),
                ("own-key", try own.sign(bytes: try batch("PTS")), "valid", nil),
                // The refused orders' numbers again, in a new message signed with the registered key: new
                // declarations, not duplicates of the refused ones (their keys were freed).
                ("resent", try own.sign(bytes: try batch("PTO")), "valid", nil),
            ]
            var guids: [String: String] = [:]
            for (id, body, verdict, code) in cases {
                var headers = HTTPFields.key(h.keys[Parties.merchant])
                headers[.xBatchIdTest] = "signed-\(id)"
                let r = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                let json = try r.json()
                #expect(json["status"] as? String == "completed", "\(id): \(json)")
                #expect(json["signature"] as? String == verdict, "\(id): \(json)")
                let guid = try #require(json["messageGuid"] as? String)
                guids[id] = guid
                #expect(json["declarationsInserted"] as? Int == 3, "\(id): \(json)")
                let timeline = try #require(try await h.store.trace(.guid(guid)))
                let deliveries = timeline.deliveries.filter { $0.messageGuid == guid }
                let statuses = Set(timeline.declarations.filter { $0.messageGuid == guid }.map(\.status))
                if let code {
                    #expect((json["routing"] as? String)?.hasPrefix("refused: \(code)") == true, "\(id): \(json)")
                    #expect(deliveries.isEmpty)
                    #expect(statuses == ["refused"], "\(id): \(json) \(timeline.declarations.map { ($0.messageGuid, $0.status) })")
                } else {
                    #expect(deliveries.map(\.destination) == ["customs"])
                    #expect(statuses == ["declared"], "\(id): \(json)")
                }
            }
            // The refused message keeps its refused declarations, under the same order numbers.
            let refusedGuid = try #require(guids["other-key"])
            let refused = try #require(try await h.store.trace(.guid(refusedGuid)))
            let kept = refused.declarations.filter { $0.messageGuid == refusedGuid }
            #expect(kept.count == 3 && kept.allSatisfy { $0.status == "refused" && $0.orderNo?.hasPrefix("PTO") == true })
        }
        await h.close()
    }

    @Test("receipts inside an uploaded batch are refused (RCP001) and move nothing")
    func receiptsInBatches() async throws {
        let h = try await Harness.make(configuration: BatchTests.synchronous)
        try await h.application().test(.router) { client in
            _ = try await post(client, h.keys[Parties.platform], try sample("CEB311-order.xml"))
            // The merchant uploads a receipt naming itself as sender.
            var headers = HTTPFields.key(h.keys[Parties.merchant])
            headers[.xBatchIdTest] = "receipt-batch"
            let receipt = try Self.variant("CEB312-order-return.xml", [
                ("<ceb:copCode>\(Parties.platform)</ceb:copCode>", "<ceb:copCode>\(Parties.merchant)</ceb:copCode>")])
            let r = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: receipt))
            let json = try r.json()
            #expect(json["receiptsInserted"] as? Int == 0, "\(json) \(r.status)")
            #expect(json["invalidDocuments"] as? Int == 1, "\(json)")
            #expect(try await orderStatus(h) == "declared")
        }
        await h.close()
    }
}

extension TrustTests {
    @Test("a message view shows a party only its own documents of a batch; the sender and ops see all, masked")
    func messageViewByParty() async throws {
        let h = try await Harness.make(configuration: BatchTests.synchronous)
        // 20 orders; only the first names the platform, the rest another platform.
        var text = String(decoding: try orderBatch(count: 20), as: UTF8.self)
        let own = "<ceb:ebpCode>\(Parties.platform)</ceb:ebpCode>"
        if let first = text.range(of: own) {
            let rest = text[first.upperBound...].replacingOccurrences(of: own, with: "<ceb:ebpCode>\(Parties.stranger)</ceb:ebpCode>")
            text = String(text[..<first.upperBound]) + rest
        }
        let body = Array(text.utf8)
        try await h.application().test(.router) { client in
            var headers = HTTPFields.key(h.keys[Parties.merchant])
            headers[.xBatchIdTest] = "view-batch"
            let upload = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            let guid = try #require(try upload.json()["messageGuid"] as? String, "\(upload.text)")
            func documents(_ key: String?) async throws -> (count: Int, xml: String) {
                let r = try await client.execute(uri: "/v1/messages/\(guid)", method: .get, headers: .key(key))
                let xml = (try? r.json()["xml"] as? String) ?? ""
                return (xml.components(separatedBy: "<ceb:Order>").count - 1, xml)
            }
            let platform = try await documents(h.keys[Parties.platform])
            #expect(platform.count == 1, "\(platform.xml.prefix(2000))")
            #expect(!platform.xml.contains(Parties.stranger))
            #expect(!platform.xml.contains("PTB00000000002"))
            let sender = try await documents(h.keys[Parties.merchant])
            #expect(sender.count == 20)
            let ops = try await documents(h.keys[Parties.ops])
            #expect(ops.count == 20)
            for view in [platform.xml, sender.xml, ops.xml] { #expect(!view.contains(Parties.buyerId)) }
            // An enterprise named in none of its documents does not learn the message exists.
            let stranger = try await client.execute(uri: "/v1/messages/\(guid)", method: .get, headers: .key(h.keys[Parties.logistics]))
            #expect(stranger.status == .notFound)
        }
        await h.close()
    }
}

extension TrustTests {
    @Test("a webhook receives only its own enterprise's receipts, never a whole receipt message naming others")
    func webhookGetsOnlyItsOwnReceipts() async throws {
        let h = try await Harness.make()
        let admin = EnterpriseAdmin(store: h.store)
        for code in [Parties.merchant, Parties.stranger] {
            _ = try await admin.registerWebhook(enterpriseCode: code, url: "http://127.0.0.1:9/hook", allowPrivate: true, actor: "test")
        }
        let rivalGuid = UUID().uuidString
        let rivalOrder = try Self.variant("CEB311-order.xml", [
            (Parties.orderNo, "ST0000000001"), (Parties.platform, Parties.stranger), (Parties.merchant, Parties.stranger),
            ("9B2CD32B-2B33-5E48-9B82-7A28615E98E0", rivalGuid),
        ])
        var receipt = String(decoding: try sample("CEB312-order-return.xml"), as: UTF8.self)
        let own = try #require(receipt.range(of: "<ceb:OrderReturn>")).lowerBound
        let end = try #require(receipt.range(of: "</ceb:OrderReturn>")).upperBound
        let theirs = receipt[own..<end].replacingOccurrences(of: Parties.orderNo, with: "ST0000000001")
            .replacingOccurrences(of: Parties.platform, with: Parties.stranger).replacingOccurrences(of: Parties.merchant, with: Parties.stranger)
            .replacingOccurrences(of: "A8EC5047-CD5B-5FE8-B367-0335DBFD469C", with: rivalGuid)
        receipt.insert(contentsOf: "\n  " + theirs, at: end)
        let signed = try h.customs.sign(bytes: Array(receipt.utf8))
        try await h.application().test(.router) { client in
            #expect(try await post(client, h.keys[Parties.platform], try sample("CEB311-order.xml")).0 == .accepted)
            #expect(try await post(client, h.keys[Parties.stranger], rivalOrder).0 == .accepted)
            let (status, json) = try await post(client, h.keys[Parties.customs], signed)
            #expect(status == .accepted, "\(json)")
            #expect(Set(json["destinations"] as? [String] ?? []) == [Webhooks.destinationName(Parties.merchant), Webhooks.destinationName(Parties.stranger)])
        }
        let rows = try await h.store.outboxEntries(status: nil, limit: 50)
        for (code, mine, other) in [(Parties.merchant, Parties.orderNo, "ST0000000001"), (Parties.stranger, "ST0000000001", Parties.orderNo)] {
            let row = try #require(rows.first { $0.destination == Webhooks.destinationName(code) })
            let message = try #require(try await h.store.message(guid: row.messageGuid))
            let text = String(decoding: message.rawBytes, as: UTF8.self)
            #expect(text.contains(mine) && !text.contains(other), "\(code): \(text)")
        }
        await h.close()
    }
}

extension TrustTests {
    @Test("an export return (CEB213) accepted by customs (CEB214) settles the export inventory it names as returned")
    func exportReturnSettlesTheExportInventory() async throws {
        let h = try await Harness.make()
        try await h.application().test(.router) { client in
            let (declared, json) = try await post(client, h.keys[Parties.agent], try sample("CEB603-export-inventory.xml"))
            #expect(declared == .accepted, "\(json)")
            let (given, givenJSON) = try await post(client, h.keys[Parties.customs], try h.customsReceipt("CEB604-export-inventory-return.xml"))
            #expect(given == .accepted && givenJSON["receipts"] as? [String] == ["120"], "\(givenJSON)")
            let (returned, returnJSON) = try await post(client, h.keys[Parties.agent], try sample("CEB213-export-return.xml"))
            #expect(returned == .accepted, "\(returnJSON)")
            let (answered, answer) = try await post(client, h.keys[Parties.customs], try h.customsReceipt("CEB214-export-return-return.xml"))
            #expect(answered == .accepted && answer["receipts"] as? [String] == ["120"], "\(answer)")
        }
        let inventory = try await h.store.trace(.copNo("DHQD202611260088"))?.declarations.first { $0.kind == .exportInventory }
        #expect(inventory?.status == "returned", "\(String(describing: inventory))")
        await h.close()
    }
}
