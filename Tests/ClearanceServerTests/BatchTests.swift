import ClearanceTestSupport
import HTTPTypes
import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A CEB311 batch from the e-commerce enterprise: `count` orders copied from the sample, the ones
/// listed in `invalid` with a wrong buyer ID checksum.
func orderBatch(count: Int, invalid: Set<Int> = [], copCode: String = Parties.merchant) throws -> [UInt8] {
    let text = String(decoding: try sample("CEB311-order.xml"), as: UTF8.self)
    let start = try #require(text.range(of: "<ceb:Order>"))
    let end = try #require(text.range(of: "</ceb:Order>"))
    let order = String(text[start.lowerBound..<end.upperBound])
    var body = ""
    for i in 1...count {
        var copy = order.replacingOccurrences(of: Parties.orderNo, with: String(format: "PTB%011d", i))
        copy = copy.replacingOccurrences(of: "9B2CD32B-2B33-5E48-9B82-7A28615E98E0", with: UUID().uuidString)
        if invalid.contains(i) { copy = copy.replacingOccurrences(of: Parties.buyerId, with: "350128199003070025") }
        body += copy + "\n"
    }
    var out = String(text[..<start.lowerBound]) + body + String(text[end.upperBound...])
    out = out.replacingOccurrences(of: "546768EF-9AE7-5A4F-AF1A-01BCCCB09539", with: UUID().uuidString)
    out = out.replacingOccurrences(of: "<ceb:copCode>\(Parties.platform)</ceb:copCode>", with: "<ceb:copCode>\(copCode)</ceb:copCode>")
    return Array(out.utf8)
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-gzip-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("batch.xml")
    try Data(bytes).write(to: file)
    let gzipped = try CommandRunner.runBlocking("/usr/bin/gzip", ["-k", "-9", file.path], timeout: 60)
    #expect(gzipped.status == 0, "\(gzipped.output)")
    return Array(try Data(contentsOf: dir.appendingPathComponent("batch.xml.gz")))
}

@Suite("Batch uploads")
struct BatchTests {
    /// These tests check what a finished upload reports, so the early 202 (``EarlyAnswerTests``)
    /// is turned off: on a loaded machine the ¼-second rule would otherwise answer mid-body.
    static let synchronous = ServerConfiguration(batchEarlyAnswerBytes: .max, batchEarlyAnswerSeconds: .infinity)

    @Test("upload (plain and gzip), progress and counts, errors as JSON and CSV with IDs masked")
    func uploadAndErrors() async throws {
        let h = try await Harness.make(configuration: Self.synchronous)
        try await withCleanup({ await h.close() }) {
            let batch = try orderBatch(count: 40, invalid: [7, 23])
            try await h.application().test(.router) { client in
                for (index, (body, encoding)) in [(batch, nil), (try gzip(try orderBatch(count: 40, invalid: [7, 23])), "gzip")].enumerated() {
                    var headers = HTTPFields.key(h.keys[Parties.merchant])
                    if let encoding { headers[.contentEncoding] = encoding }
                    let id = "test-batch-\(index)"
                    headers[.xBatchIdTest] = id
                    let upload = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                    #expect(upload.status == .accepted)
                    #expect(upload.headers[.xBatchIdTest] == id)
                    let json = try upload.json()
                    #expect(json["status"] as? String == "completed", "\(json)")
                    #expect(json["documents"] as? Int == 40)
                    #expect(json["invalidDocuments"] as? Int == 2)
                    // The second upload repeats the orderNos: stored once, reported as already stored.
                    #expect(json["declarationsInserted"] as? Int == (index == 0 ? 38 : 0))
                    #expect(json["declarationsSkipped"] as? Int == (index == 0 ? 0 : 38))
                    // Each document has its verdict: the two invalid ones are not sent, the others go
                    // (the first time; the repeat has nothing new to send).
                    #expect((json["routing"] as? String)?.contains(index == 0 ? "routed → customs" : "duplicate") == true, "\(json)")
                    #expect((json["routing"] as? String)?.contains("38 routed, 0 awaiting, 0 refused, 2 invalid") == true, "\(json)")
                    try await client.execute(uri: "/v1/batches/\(id)", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                        #expect(r.status == .ok)
                        let progress = try r.json()
                        #expect(progress["bytes"] as? Int == batch.count)
                    }
                    try await client.execute(uri: "/v1/batches/\(id)/errors", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                        #expect(r.status == .ok)
                        let errors = try #require(try r.json()["errors"] as? [[String: Any]]).filter { $0["severity"] as? String == "error" }
                        #expect(Set(errors.compactMap { $0["document"] as? Int }) == [7, 23])
                        #expect(!r.text.contains("350128199003070025"))
                    }
                    try await client.execute(uri: "/v1/batches/\(id)/errors?format=csv", method: .get, headers: .key(h.keys[Parties.merchant])) { r in
                        #expect(r.status == .ok)
                        #expect(r.headers[.contentType]?.hasPrefix("text/csv") == true)
                        let lines = r.text.split(separator: "\r\n")
                        #expect(lines.first == "document,key,line,column,severity,code,field,message")
                        #expect(lines.contains { $0.hasPrefix("7,") } && lines.contains { $0.hasPrefix("23,") })
                        #expect(!r.text.contains("350128199003070025"))
                    }
                    // Another merchant cannot see the batch.
                    try await client.execute(uri: "/v1/batches/\(id)", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                        #expect(r.status == .notFound)
                    }
                }
            }
            let stats = try await h.store.stats()
            let orders = stats.declarations.filter { $0.kind == .order }.map(\.count).reduce(0, +)
            #expect(orders == 38)
        }
    }

    @Test("a valid batch goes on through the flow: routed, queued in the outbox, in the message timeline")
    func validBatchIsRouted() async throws {
        let h = try await Harness.make(configuration: Self.synchronous)
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                var headers = HTTPFields.key(h.keys[Parties.merchant])
                headers[.xBatchIdTest] = "routed-batch"
                let upload = try await client.execute(uri: "/v1/batches", method: .post, headers: headers,
                                                      body: ByteBuffer(bytes: try orderBatch(count: 12)))
                let json = try upload.json()
                #expect(json["status"] as? String == "completed", "\(json)")
                #expect(json["routing"] as? String == "routed → customs [rules: everything] (documents: 12 routed, 0 awaiting, 0 refused, 0 invalid)", "\(json)")
                let guid = try #require(json["messageGuid"] as? String)
                let timeline = try #require(try await h.store.trace(.guid(guid)))
                #expect(timeline.deliveries.filter { $0.messageGuid == guid }.map(\.destination) == ["customs"])
                #expect(Set(timeline.declarations.filter { $0.messageGuid == guid }.map(\.status)) == ["declared"])

                // Each document's verdict: counted on the batch, listed a page at a time by status.
                let merchant = HTTPFields.key(h.keys[Parties.merchant])
                try await client.execute(uri: "/v1/batches/routed-batch", method: .get, headers: merchant) { r in
                    let counts = try r.json()["declarations"] as? [String: Int]
                    #expect(counts == ["declared": 12], "\(r.text)")
                }
                try await client.execute(uri: "/v1/batches/routed-batch/documents?status=declared&limit=5", method: .get, headers: merchant) { r in
                    let json = try r.json()
                    let documents = try #require(json["documents"] as? [[String: Any]])
                    #expect(documents.map { $0["orderNo"] as? String } == (1...5).map { String(format: "PTB%011d", $0) })
                    #expect(json["nextOffset"] as? Int == 5)
                }
                try await client.execute(uri: "/v1/batches/routed-batch/documents?status=refused", method: .get, headers: merchant) { r in
                    let documents = try r.json()["documents"] as? [Any]
                    #expect(documents?.isEmpty == true)
                }
                try await client.execute(uri: "/v1/batches/routed-batch/documents", method: .get, headers: .key(h.keys[Parties.stranger])) { r in
                    #expect(r.status == .notFound)
                }
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                let page = try await client.execute(uri: "/ops/batches/routed-batch?status=declared", method: .get, headers: ops.cookie).text
                #expect(page.contains("<table id=\"batch-verdicts\">"))
                #expect(page.contains("<span class=\"status\">declared</span></a></td><td>12</td>"), "\(page)")
                #expect(page.components(separatedBy: "<a href=\"/ops/shipments/PTB").count - 1 == 12)
            }
        }
    }

    @Test("over the enterprise's limit: 413 at once by Content-Length, and mid-stream when chunked")
    func tooLarge() async throws {
        let h = try await Harness.make(configuration: Self.synchronous)
        try await withCleanup({ await h.close() }) {
            var merchant = try #require(try await h.store.enterprise(code: Parties.merchant))
            merchant.maxBatchBytes = 20_000
            try await h.store.upsertEnterprise(merchant)
            let big = try orderBatch(count: 20)
            #expect(big.count > 20_000)
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/batches", method: .post, headers: .key(h.keys[Parties.merchant]),
                                         body: ByteBuffer(bytes: big)) { r in
                    #expect(r.status == .contentTooLarge)
                    #expect(r.text.contains("20000"))
                }
                // gzip hides the decoded size: refused while streaming, the batch marked failed.
                var headers = HTTPFields.key(h.keys[Parties.merchant])
                headers[.contentEncoding] = "gzip"
                headers[.xBatchIdTest] = "too-big-gzip"
                try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(bytes: try gzip(big))) { r in
                    #expect(r.status == .contentTooLarge)
                }
            }
            #expect(try await h.store.batch(id: "too-big-gzip")?.status == .failed)
        }
    }

    @Test("a batch whose copCode is another enterprise's, or that is not XML, fails cleanly")
    func refusedBatches() async throws {
        let h = try await Harness.make(configuration: Self.synchronous)
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                try await client.execute(uri: "/v1/batches", method: .post, headers: .key(h.keys[Parties.merchant]),
                                         body: ByteBuffer(bytes: try orderBatch(count: 2, copCode: Parties.stranger))) { r in
                    #expect(r.status == .forbidden)
                    let failed = try r.json()
                    #expect(failed["status"] as? String == "failed")
                }
                try await client.execute(uri: "/v1/batches", method: .post, headers: .key(h.keys[Parties.merchant]),
                                         body: ByteBuffer(string: "this is not xml")) { r in
                    #expect(r.status == .unprocessableContent)
                }
                var headers = HTTPFields.key(h.keys[Parties.merchant])
                headers[.contentEncoding] = "gzip"
                try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(string: "not gzip at all")) { r in
                    #expect(r.status == .badRequest)
                }
                try await client.execute(uri: "/v1/batches", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try orderBatch(count: 1))) { r in
                    #expect(r.status == .forbidden)
                }
            }
        }
    }
}

extension HTTPField.Name {
    static let xBatchIdTest = Self("X-Batch-Id")!
}
