import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// `POST /v1/batches` over real HTTP/1.1 connections: the answer comes while the body is still
/// being sent, and what happens to the batch afterwards.
@Suite("Batch uploads answered early")
struct EarlyAnswerTests {
    /// A service answering batch uploads after 64 KiB of body.
    private func start(limit: Int64? = nil) async throws -> (Harness, RunningService) {
        let h = try await Harness.make(configuration: ServerConfiguration(
            host: "127.0.0.1", port: 0, batchEarlyAnswerBytes: 64 << 10, batchEarlyAnswerSeconds: 60))
        if let limit {
            var merchant = try #require(try await h.store.enterprise(code: Parties.merchant))
            merchant.maxBatchBytes = limit
            try await h.store.upsertEnterprise(merchant)
        }
        return (h, try await ClearanceApplication.start(h.environment))
    }

    private func head(_ h: Harness, _ extra: String) throws -> String {
        let key = try #require(h.keys[Parties.merchant])
        return "POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/xml\r\n\(extra)\r\n"
    }

    /// Waits until the batch has left the `receiving` state.
    private func settled(_ h: Harness, _ id: String) async throws -> BatchRecord {
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            if let batch = try await h.store.batch(id: id), batch.status != .receiving { return batch }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw RawHTTPConnection.Failure(description: "batch \(id) still receiving")
    }

    @Test("the 202 with the batch id arrives before most of the body is sent; progress shows; the batch completes; the connection stays usable")
    func answeredBeforeTheBodyEnds() async throws {
        let (h, service) = try await start()
        try await withCleanup({ await service.stop(); await h.close() }) {
            let batch = try orderBatch(count: 600)
            let first = 256 << 10
            #expect(batch.count > 6 * first)
            let connection = try RawHTTPConnection(port: service.port)
            let head = try head(h, "Content-Length: \(batch.count)\r\nExpect: 100-continue\r\n")
            let answer = try await onThread {
                connection.send(head)
                connection.send(Array(batch[0..<first]))
                return try connection.readAnswer() // 100 Continue is skipped; this is the final answer
            }
            #expect(answer.status == 202, "\(answer.head)")
            #expect(connection.interimHeads.map { $0.prefix(21) } == ["HTTP/1.1 100 Continue"]) // Expect: 100-continue honoured
            let json = try answer.json()
            let id = try #require(json["id"] as? String)
            #expect(json["status"] as? String == "receiving")
            #expect((json["links"] as? [String: String])?["self"] == "/v1/batches/\(id)")
            #expect(answer.head.contains("X-Batch-Id: \(id)"))
            // Progress is visible while the client still holds most of the body.
            let progress = try #require(try await h.store.batch(id: id))
            #expect(progress.status == .receiving)
            #expect(progress.bytes >= 64 << 10 && progress.bytes <= Int64(first))

            let sent = try await onThread { connection.send(Array(batch[first...])) }
            #expect(sent)
            let done = try await settled(h, id)
            #expect(done.status == .completed, "\(done.failure ?? "")")
            #expect(done.bytes == Int64(batch.count))
            #expect(done.documents == 600)
            #expect(done.declarationsInserted == 600)
            // The exchange ended cleanly: the same connection serves the next request.
            let key = try #require(h.keys[Parties.merchant])
            let next = try await onThread {
                connection.send("GET /v1/batches/\(id) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n\r\n")
                return try connection.readAnswer()
            }
            #expect(next.status == 200)
            #expect(try next.json()["status"] as? String == "completed")
        }
    }

    @Test("a client that disconnects mid-upload leaves the batch failed, with the documents it sent whole kept")
    func clientGoesAway() async throws {
        let (h, service) = try await start()
        try await withCleanup({ await service.stop(); await h.close() }) {
            let batch = try orderBatch(count: 600)
            let half = batch.count / 2
            let connection = try RawHTTPConnection(port: service.port)
            let head = try head(h, "Content-Length: \(batch.count)\r\nX-Batch-Id: gone-midway-1\r\n")
            let answer = try await onThread {
                connection.send(head)
                connection.send(Array(batch[0..<half]))
                let answer = try connection.readAnswer()
                connection.hangUp()
                return answer
            }
            #expect(answer.status == 202)
            let failed = try await settled(h, "gone-midway-1")
            #expect(failed.status == .failed)
            #expect(failed.failure?.contains("disconnected after") == true, "\(failed.failure ?? "")")
            #expect(failed.failure?.contains("of \(batch.count) bytes") == true)
            // Documents read whole before the disconnect are stored, the rest are not.
            #expect(failed.declarationsInserted > 100 && failed.declarationsInserted < 600, "\(failed.declarationsInserted)")
            let stats = try await h.store.stats()
            #expect(stats.declarations.filter { $0.kind == .order }.map(\.count).reduce(0, +) == failed.declarationsInserted)
        }
    }

    @Test("Content-Length over the limit: 413 before any body; a chunked body crossing it after the answer fails the batch and closes the connection")
    func limitCrossedAfterTheAnswer() async throws {
        let (h, service) = try await start(limit: 200_000)
        try await withCleanup({ await service.stop(); await h.close() }) {
            let batch = try orderBatch(count: 600)
            let refused = try RawHTTPConnection(port: service.port)
            let tooLong = try head(h, "Content-Length: \(batch.count)\r\nExpect: 100-continue\r\n")
            let at413 = try await onThread {
                refused.send(tooLong)
                return try refused.readAnswer()
            }
            #expect(at413.status == 413)
            #expect(at413.text.contains("200000"))

            let connection = try RawHTTPConnection(port: service.port)
            let chunked = try head(h, "Transfer-Encoding: chunked\r\nX-Batch-Id: over-the-limit-1\r\n")
            let piece = 100 << 10
            let (answer, closed) = try await onThread { () throws -> (RawHTTPConnection.Answer, Bool) in
                func chunk(_ bytes: ArraySlice<UInt8>) -> [UInt8] { Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10] }
                connection.send(chunked)
                connection.send(chunk(batch[0..<piece]))
                let answer = try connection.readAnswer()
                var offset = piece
                while offset < batch.count, connection.send(chunk(batch[offset..<min(offset + piece, batch.count)])) {
                    offset += piece
                    Thread.sleep(forTimeInterval: 0.02)
                }
                return (answer, connection.closedByServer())
            }
            #expect(answer.status == 202)
            #expect(try answer.json()["status"] as? String == "receiving")
            #expect(closed)
            let failed = try await settled(h, "over-the-limit-1")
            #expect(failed.status == .failed)
            #expect(failed.failure == "the batch exceeds the limit of 200000 bytes")
        }
    }
}
