import ClearanceTestSupport
import ClearanceServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The JSON face: `POST /v1/orders`… with JSON documents, judged as the XML they become.
@Suite("JSON documents")
struct JSONFaceTests {
    /// The Pingtan sample of `file` as the JSON face takes it (`scripts/xml2json.py`, one line).
    static func json(_ file: String) async throws -> String {
        let ran = try await CommandRunner.run("/usr/bin/env", ["python3", Repository.path("scripts/xml2json.py"), Repository.samplePath(file)])
        try #require(ran.status == 0, "\(ran.output)")
        return ran.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func documents(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(try response.json()["documents"] as? [[String: Any]])
    }

    @Test("a JSON order is written as CEB XML, judged like XML, and linked; sent again it is a duplicate")
    func orderRoundTrip() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let order = try await Self.json("CEB311-order.xml")
            try await h.application().test(.router) { client in
                let first = try await client.execute(uri: "/v1/orders", method: .post, headers: .key(h.keys[Parties.platform]),
                                                     body: ByteBuffer(string: order))
                #expect(first.status == .accepted, "\(first.text)")
                let result = try #require(try Self.documents(first).first)
                #expect(result["guid"] as? String == "546768EF-9AE7-5A4F-AF1A-01BCCCB09539")
                #expect(result["stored"] as? Bool == true)
                #expect(result["message"] as? String == "/v1/messages/546768EF-9AE7-5A4F-AF1A-01BCCCB09539")
                try await client.execute(uri: "/v1/messages/546768EF-9AE7-5A4F-AF1A-01BCCCB09539", method: .get,
                                         headers: .key(h.keys[Parties.platform])) { r in
                    #expect(r.status == .ok)
                    let xml = try #require(try r.json()["xml"] as? String)
                    #expect(xml.contains("<ceb:orderNo>PT202611250001</ceb:orderNo>") && xml.contains("<ceb:CEB311Message"))
                }
                let again = try await client.execute(uri: "/v1/orders", method: .post, headers: .key(h.keys[Parties.platform]),
                                                     body: ByteBuffer(string: order))
                #expect(try Self.documents(again).first?["duplicate"] as? Bool == true, "\(again.text)")
            }
        }
    }

    @Test("JSON Lines: each document judged on its own; faults come back by JSON path")
    func linesAndPaths() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let order = try await Self.json("CEB311-order.xml")
            // A second order whose orderNo is too long for the schema (a decoder finding, mapped to its path),
            // a third with a JSON fault, and a line that is not JSON.
            let long = order.replacingOccurrences(of: "PT202611250001", with: String(repeating: "9", count: 61))
                .replacingOccurrences(of: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539", with: "11111111-2222-3333-4444-555555555555")
            let typo = order.replacingOccurrences(of: "\"orderNo\"", with: "\"orderNumber\"")
            let body = [order, long, typo, "{not json"].joined(separator: "\n")
            try await h.application().test(.router) { client in
                let r = try await client.execute(uri: "/v1/orders", method: .post,
                                                 headers: .key(h.keys[Parties.platform], [.contentType: "application/x-ndjson"]),
                                                 body: ByteBuffer(string: body))
                #expect(r.status == .ok, "\(r.text)")
                let documents = try Self.documents(r)
                #expect(documents.map { $0["position"] as? Int } == [1, 2, 3, 4])
                #expect(documents.map { $0["stored"] as? Bool } == [true, false, false, false])
                func paths(_ i: Int) -> [String] { ((documents[i]["issues"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String } }
                #expect(paths(1).contains("$.OrderHead.orderNo"), "\(documents[1])")
                #expect(Set(paths(2)) == ["$.OrderHead.orderNumber", "$.OrderHead.orderNo"], "\(documents[2])")
                #expect(((documents[3]["issues"] as? [[String: Any]])?.first?["code"] as? String) == "JSN001")
            }
        }
    }

    @Test("the sender rule holds: a JSON document names its sender in BaseTransfer like XML; receipts are not JSON")
    func senderAndReceipts() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let order = try await Self.json("CEB311-order.xml")
            try await h.application().test(.router) { client in
                let r = try await client.execute(uri: "/v1/orders", method: .post, headers: .key(h.keys[Parties.logistics]),
                                                 body: ByteBuffer(string: order))
                #expect(r.status == .unprocessableContent, "\(r.text)")
                let issues = try #require(try Self.documents(r).first?["issues"] as? [[String: Any]])
                #expect(issues.first?["code"] as? String == "AUTH001", "\(issues)")
                let receipt = try await client.execute(uri: "/v1/documents/CEB312", method: .post, headers: .key(h.keys[Parties.platform]),
                                                       body: ByteBuffer(string: "{}"))
                #expect(receipt.status == .notFound)
            }
        }
    }
}
