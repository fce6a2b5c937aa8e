import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A message whose raw parts and head were detached under retention (``PartitionStore``): ops are
/// told where it went, anyone else that there is no such message (an archived head no longer says
/// whose it was).
@Suite struct ArchivedMessageTests {
    @Test("GET /v1/messages/{guid} of an archived batch: ops are told it is archived and where, its sender finds nothing")
    func archivedView() async throws {
        let h = try await Harness.make(storeURL: try freshURL(.postgresql))
        try await withCleanup({ await h.close() }) {
            let policy = PartitionPolicy(ahead: 1, minimumSpan: 2, retention: 30 * 86_400)
            _ = try await h.store.maintainPartitions(policy, now: Date())
            let bytes = try sample("CEB621-inventory.xml")
            var guids: [String] = []
            for _ in 0..<3 {   // messages 1–3: the partition of 1 and 2 is then full
                let guid = UUID().uuidString
                _ = try await h.store.beginStreamedMessage(StreamedMessage(
                    guid: guid, messageType: "CEB621", senderCode: Parties.agent, direction: .inbound,
                    receivedAt: Date().addingTimeInterval(-90 * 86_400), signatureVerdict: "unchecked"))
                let half = bytes.count / 2
                _ = try await h.store.ingestStreamedChunk(StreamedChunk(
                    messageGuid: guid, senderCode: Parties.agent,
                    parts: [MessagePart(index: 0, bytes: Array(bytes[..<half])), MessagePart(index: 1, bytes: Array(bytes[half...]))],
                    declarations: []))
                _ = try await h.store.finishStreamedMessage(
                    guid: guid, sha256: SHA256Digest.hex(of: bytes), size: Int64(bytes.count), partCount: 2)
                guids.append(guid)
            }
            let report = try await h.store.maintainPartitions(policy, now: Date())
            #expect(report.detached.map(\.name) == ["message_parts_1", "outbox_1", "messages_1"], "\(report.detached)")

            let (archived, recent) = (guids[0], guids[2])
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/messages/\(archived)", method: .get, headers: .key(h.keys[Parties.ops])) { r in
                    #expect(r.status == .notFound)
                    let text = String(buffer: r.body)
                    #expect(text.contains("archived") && text.contains("messages_1") && text.contains(archived), "\(text)")
                }
                try await client.execute(uri: "/v1/messages/\(archived)", method: .get, headers: .key(h.keys[Parties.agent])) { r in
                    #expect(r.status == .notFound)
                    #expect(!String(buffer: r.body).contains("archived"))
                }
                // The recent message still reads whole.
                try await client.execute(uri: "/v1/messages/\(recent)", method: .get, headers: .key(h.keys[Parties.agent])) { r in
                    #expect(r.status == .ok)
                    let xml = try r.json()["xml"] as? String ?? ""
                    #expect(xml.contains("</ceb:CEB621Message>"))
                }
            }
        }
    }
}
