import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// `POST /v1/batches` limits, over real HTTP/1.1 connections: how many uploads may be in progress,
/// and the deadline of an upload whose client stops sending.
@Suite("Batch uploads bounded")
struct UploadBoundsTests {
    private func start(_ configuration: ServerConfiguration) async throws -> (Harness, RunningService) {
        let h = try await Harness.make(configuration: configuration)
        return (h, try await ClearanceApplication.start(h.environment))
    }

    private func head(_ h: Harness, _ code: String, _ extra: String) throws -> String {
        let key = try #require(h.keys[code])
        return "POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/xml\r\n\(extra)\r\n"
    }

    /// Waits until the batch row exists (the upload holds its slot and is reading the body).
    private func started(_ h: Harness, _ id: String) async throws {
        let deadline = Date().addingTimeInterval(120)  // generous: a loaded test run stalls for a minute or more
        while try await h.store.batch(id: id) == nil, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
    }

    private func settled(_ h: Harness, _ id: String) async throws -> BatchRecord {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let batch = try await h.store.batch(id: id), batch.status != .receiving { return batch }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw RawHTTPConnection.Failure(description: "batch \(id) still receiving")
    }

    @Test("uploads in progress are bounded: one more from the same key gets 429, one more overall 503, both with Retry-After; a finished upload frees its slot")
    func concurrentUploadsBounded() async throws {
        let (h, service) = try await start(ServerConfiguration(
            host: "127.0.0.1", port: 0, batchEarlyAnswerBytes: 64 << 10, batchEarlyAnswerSeconds: 60, maxUploadsPerKey: 1, maxUploads: 2))
        try await withCleanup({ await service.stop(); await h.close() }) {
            let batch = try orderBatch(count: 600)
            let part = Array(batch[0..<(10 << 10)])
            // Two uploads in progress (the merchant's and the agent's), their bodies still coming.
            let a = try RawHTTPConnection(port: service.port)
            let c = try RawHTTPConnection(port: service.port)
            let headA = try head(h, Parties.merchant, "Content-Length: \(batch.count)\r\nX-Batch-Id: slot-holder-a\r\n")
            let headC = try head(h, Parties.agent, "Content-Length: \(batch.count)\r\nX-Batch-Id: slot-holder-c\r\n")
            _ = try await onThread { a.send(headA) && a.send(part) }
            try await started(h, "slot-holder-a")

            let sameKey = try RawHTTPConnection(port: service.port)
            let headB = try head(h, Parties.merchant, "Content-Length: \(batch.count)\r\n")
            let b = try await onThread { () throws -> RawHTTPConnection.Answer in
                sameKey.send(headB)
                return try sameKey.readAnswer()
            }
            #expect(b.status == 429, "\(b.head)")
            #expect(b.head.contains("Retry-After: 5"))

            _ = try await onThread { c.send(headC) && c.send(part) }
            try await started(h, "slot-holder-c")
            let full = try RawHTTPConnection(port: service.port)
            let headD = try head(h, Parties.stranger, "Content-Length: \(batch.count)\r\n")
            let d = try await onThread { () throws -> RawHTTPConnection.Answer in
                full.send(headD)
                return try full.readAnswer()
            }
            #expect(d.status == 503, "\(d.head)")
            #expect(d.head.contains("Retry-After: 5"))
            #expect(try await h.store.batches(enterpriseCode: nil, limit: 10).count == 2, "refused uploads create no batch")

            // The merchant's upload ends (its client goes away): the key may upload again.
            a.hangUp()
            #expect(try await settled(h, "slot-holder-a").status == .failed)
            let small = try orderBatch(count: 3)
            let again = try RawHTTPConnection(port: service.port)
            let headE = try head(h, Parties.merchant, "Content-Length: \(small.count)\r\n")
            let e = try await onThread { () throws -> RawHTTPConnection.Answer in
                again.send(headE)
                again.send(small)
                return try again.readAnswer()
            }
            #expect(e.status == 202, "\(e.head) \(e.text)")
            #expect(try e.json()["status"] as? String == "completed")
            c.hangUp()
        }
    }

    @Test("a client that stops sending mid-body: at the batch deadline the batch fails with the reason and the connection is closed, before or after the early answer")
    func stalledUploadHitsTheDeadline() async throws {
        let (h, service) = try await start(ServerConfiguration(
            host: "127.0.0.1", port: 0, batchTimeoutSeconds: 12, batchEarlyAnswerBytes: 64 << 10, batchEarlyAnswerSeconds: 60))
        try await withCleanup({ await service.stop(); await h.close() }) {
            let batch = try orderBatch(count: 600)
            let after = try RawHTTPConnection(port: service.port)
            let before = try RawHTTPConnection(port: service.port)
            let headAfter = try head(h, Parties.merchant, "Content-Length: \(batch.count)\r\nX-Batch-Id: stalled-after-1\r\n")
            let headBefore = try head(h, Parties.agent, "Content-Length: \(batch.count)\r\nX-Batch-Id: stalled-before-1\r\n")
            let began = Date()
            // Past the early answer (100 KiB of body), then silence.
            let answer = try await onThread { () throws -> RawHTTPConnection.Answer in
                after.send(headAfter)
                after.send(Array(batch[0..<(100 << 10)]))
                return try after.readAnswer()
            }
            #expect(answer.status == 202)
            // Before it (10 KiB), then silence.
            _ = try await onThread { before.send(headBefore) && before.send(Array(batch[0..<(10 << 10)])) }

            for (id, connection) in [("stalled-after-1", after), ("stalled-before-1", before)] {
                let closed = try await onThread { connection.closedByServer() }
                #expect(closed, "\(id): the connection is closed")
                let failed = try await settled(h, id)
                #expect(failed.status == .failed)
                #expect(failed.failure?.hasPrefix("the upload took longer than 12 s") == true, "\(id): \(failed.failure ?? "")")
                // Timed by the server's own clock: from the batch's row to its failure. The client's clock
                // also counts this test's polling, which a loaded full run stretched to 45 s.
                let held = failed.updatedAt.timeIntervalSince(failed.createdAt)
                #expect(held < 60, "\(id): failed \(held) s after it began, not at the 12 s deadline")
            }
            // The deadline leaves a loaded machine time to answer early (a 1.5 s one did not, in a full CI run).
            let elapsed = Date().timeIntervalSince(began)
            #expect(elapsed >= 5.9, "\(elapsed) s: closed before the deadline")
        }
    }
}
