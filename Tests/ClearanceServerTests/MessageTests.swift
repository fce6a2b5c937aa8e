import ClearanceTestSupport
import HTTPTypes
import ClearanceRouting
import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import XMLSignature

@Suite("Single messages")
struct MessageTests {
    @Test("a signed message is accepted; the duplicate gets the original answer byte for byte")
    func signedAndDuplicate() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let signer = try await h.signer(for: Parties.platform, register: true)
            let signed = try signer.sign(bytes: try sample("CEB311-order.xml"))
            try await h.application().test(.router) { client in
                let first = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                                     body: ByteBuffer(bytes: signed))
                #expect(first.status == .accepted)
                let json = try first.json()
                #expect(json["guid"] as? String == "546768EF-9AE7-5A4F-AF1A-01BCCCB09539")
                #expect(json["signature"] as? String == "valid")
                #expect(json["stored"] as? Bool == true)
                #expect(first.headers[.xClearanceDuplicateTest] == nil)
                let second = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                                      body: ByteBuffer(bytes: signed))
                #expect(second.status == first.status)
                #expect(second.text == first.text)
                #expect(second.headers[.xClearanceDuplicateTest] == "true")
                // The stored message comes back with its status and masked XML.
                try await client.execute(uri: "/v1/messages/546768EF-9AE7-5A4F-AF1A-01BCCCB09539", method: .get,
                                         headers: .key(h.keys[Parties.platform])) { r in
                    #expect(r.status == .ok)
                    let m = try r.json()
                    #expect(m["signatureVerdict"] as? String == "valid")
                    #expect((m["xml"] as? String)?.contains("ds:Signature") == true)
                }
            }
            let stored = try #require(try await h.store.message(guid: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539"))
            #expect(stored.rawBytes == signed)
        }
    }

    @Test("a signed message inside a dxp:DxpMsg transport envelope is unwrapped, verified and stored bare")
    func transportEnvelope() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let signer = try await h.signer(for: Parties.platform, register: true)
            let signed = try signer.sign(bytes: try sample("CEB311-order.xml"))
            let wrapped = TransportEnvelope.wrap(
                message: signed, copMsgId: "MSG-1", senderId: "DXPENT0000458923", receiverId: "DXPEDCCEB0000001", messageType: "CEB311")
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: wrapped)) { r in
                    #expect(r.status == .accepted)
                    let json = try r.json()
                    #expect(json["signature"] as? String == "valid")
                }
            }
            #expect(try await h.store.message(guid: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539")?.rawBytes == signed)
        }
    }

    @Test("copCode of another enterprise is refused (403) and nothing is stored")
    func copCodeMismatch() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                // The payment company sends the platform's order.
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.payment]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { r in
                    #expect(r.status == .forbidden)
                    #expect(r.text.contains("AUTH001"))
                }
            }
            #expect(try await h.store.message(guid: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539") == nil)
            #expect(try await h.store.answer(guid: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539") == nil)
        }
    }

    @Test("signed by another enterprise's key but claiming the platform's copCode: refused (422 SIG003), not stored")
    func forgedSignature() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            _ = try await h.signer(for: Parties.platform, register: true)
            let other = try await h.signer(for: Parties.logistics, register: true)
            let forged = try other.sign(bytes: try sample("CEB311-order.xml"))
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: forged)) { r in
                    #expect(r.status == .unprocessableContent)
                    let json = try r.json()
                    #expect(json["signature"] as? String == "invalid")
                    #expect(((json["issues"] as? [[String: Any]])?.first?["code"] as? String) == "SIG003")
                }
                // Unsigned while a signature is required: refused too.
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { r in
                    #expect(r.status == .unprocessableContent)
                }
            }
            #expect(try await h.store.message(guid: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539") == nil)
        }
    }

    @Test("malformed, hostile and oversized messages get a clear 4xx and leave nothing stored")
    func hostile() async throws {
        let h = try await Harness.make(configuration: ServerConfiguration(maxMessageBytes: 64 << 10))
        try await withCleanup({ await h.close() }) {
            let doctype = Array("""
                <?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ceb:CEB311Message guid="X" xmlns:ceb="http://www.chinaport.gov.cn/ceb">&a;</ceb:CEB311Message>
                """.utf8)
            try await h.application().test(.router) { client in
                for body in [Array("<not-closed".utf8), doctype, Array("{\"json\": true}".utf8)] {
                    try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                             body: ByteBuffer(bytes: body)) { r in
                        #expect(r.status == .badRequest)
                    }
                }
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(repeating: UInt8(ascii: " "), count: 65 << 10)) { r in
                    #expect(r.status == .contentTooLarge)
                }
            }
            #expect(try await h.store.stats().messageTotal == 0)
        }
    }
}

extension HTTPField.Name {
    static let xClearanceDuplicateTest = Self("X-Clearance-Duplicate")!
}
