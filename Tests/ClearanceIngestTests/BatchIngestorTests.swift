import ClearanceTestSupport
import CEBModel
import Foundation
import Testing
@testable import ClearanceIngest
@testable import ClearanceStore

/// Collects what an ingest reports.
final class RecordingObserver: IngestObserver {
    var issues: [ValidationIssue] = []
    var commits: [IngestSummary] = []
    func documentValidated(_ context: DocumentContext) { issues += context.issues }
    func messageFinished(_ envelope: MessageEnvelope) { issues += envelope.issues }
    func chunkCommitted(_ summary: IngestSummary) { commits.append(summary) }
}

@Suite("Batch ingest")
struct BatchIngestorTests {

    @Test("valid declarations are stored, invalid ones reported as validate does and not stored; a re-run inserts nothing",
          arguments: TestEngine.allCases)
    func validAndInvalid(engine: TestEngine) async throws {
        let batch = try generateBatch(type: "CEB621", count: 400, invalidRate: 0.05)
        try #require(!batch.broken.isEmpty)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let observer = RecordingObserver()
            let options = IngestOptions(chunkSize: 50, partSize: 64 << 10)
            let first = try await BatchIngestor.ingest(path: batch.path, store: store, options: options, observer: observer)

            let valid = batch.count - batch.broken.count
            #expect(first.documents == batch.count)
            #expect(first.invalidDocuments == batch.broken.count)
            #expect(first.declarationsInserted == valid)
            #expect(first.declarationsSkipped == 0)
            #expect(first.chunksCommitted == observer.commits.count)
            #expect(first.chunksCommitted >= valid / 50)
            #expect(first.messageStatus == .stored)
            #expect(first.start == .new)
            // Same codes at the same documents as the generator broke (and as `validate` reports).
            let reported = Set(observer.issues.filter { $0.severity == .error }.compactMap { i in i.documentIndex.map { "\($0) \(i.code)" } })
            #expect(reported == Set(batch.broken.map { "\($0.index) \($0.code)" }))
            #expect(observer.issues.filter { $0.severity == .error }.allSatisfy { $0.line != nil && $0.key != nil })

            // Stored: exactly the valid ones, none of the broken ones.
            #expect(try await store.count("declarations") == valid)
            for broken in batch.broken.prefix(5) {
                let copNo = String(broken.key.dropFirst("copNo=".count))
                #expect(try await store.count("declarations", where: "cop_no = $1", [.text(copNo)]) == 0)
            }
            #expect(try await store.count("declarations", where: "status = 'received' AND kind = 'inventory'") == valid)

            // A re-run: same counts, nothing inserted, the message a duplicate.
            let second = try await BatchIngestor.ingest(path: batch.path, store: store, options: options)
            #expect(second.documents == first.documents)
            #expect(second.invalidDocuments == first.invalidDocuments)
            #expect(second.declarationsInserted == 0)
            #expect(second.declarationsSkipped == valid)
            #expect(second.linesInserted == 0)
            #expect(second.start == .complete)
            #expect(second.messageStatus == .duplicate)
            #expect(try await store.count("declarations") == valid)
            #expect(try await store.count("messages") == 1)
            #expect(try await store.duplicateDeclarations().isEmpty)
        }
    }

    /// Two ingests at once of batches holding the same declarations in opposite orders (two uploads
    /// of the same shipments): every key is stored once and neither fails, since both write rows in
    /// key order. Chunks of 7 go through row inserts on PostgreSQL, chunks of 40 through `COPY`.
    @Test("two ingests at once of the same declarations in opposite orders store each once, without deadlock",
          arguments: TestEngine.allCases, [7, 40])
    func concurrentIngestsShareKeys(engine: TestEngine, chunkSize: Int) async throws {
        let batch = try generateBatch(type: "CEB621", count: 600)
        let (before, documents, after) = try inventories(of: batch)
        // The same documents, each chunk's backwards, in a message of its own (another guid): the two
        // ingests' chunks k hold the same keys in opposite orders, and run at about the same time.
        let guid = try #require(before.range(of: #"guid="[0-9A-F-]{36}""#, options: .regularExpression))
        let backwards = chunks(of: documents, size: chunkSize).flatMap { $0.reversed() }
        let reversed = before.replacingCharacters(in: guid, with: #"guid="00000000-0000-4000-8000-000000000001""#)
            + backwards.joined(separator: "\n") + after
        let path = batch.path + ".reversed.xml"
        try reversed.write(toFile: path, atomically: true, encoding: .utf8)

        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let options = IngestOptions(chunkSize: chunkSize, partSize: 64 << 10)
            async let forward = BatchIngestor.ingest(path: batch.path, store: store, options: options)
            async let backward = BatchIngestor.ingest(path: path, store: store, options: options)
            let (a, b) = try await (forward, backward)
            #expect(a.declarationsInserted + b.declarationsInserted == batch.count)
            #expect(a.declarationsSkipped + b.declarationsSkipped == batch.count)
            #expect(a.linesInserted + b.linesInserted == batch.lineCount)
            #expect(try await store.count("declarations") == batch.count)
            #expect(try await store.count("declaration_lines") == batch.lineCount)
            #expect(try await store.count("messages") == 2)
            #expect(try await store.duplicateDeclarations().isEmpty)
        }
    }

    /// Chunks are written several at once and may commit in any order, but a chunk that repeats a key
    /// of one in flight waits for it. A batch where every chunk's documents come again, reversed, as
    /// the next chunk: each key must be stored once, the repeats counted as skipped.
    /// Chunks of 7 go through row inserts on PostgreSQL, chunks of 40 through `COPY` and staging.
    @Test("chunks that repeat keys of chunks in flight store each declaration once",
          arguments: TestEngine.allCases, [7, 40])
    func chunksInFlightShareKeys(engine: TestEngine, chunkSize: Int) async throws {
        let batch = try generateBatch(type: "CEB621", count: 400)
        let (before, documents, after) = try inventories(of: batch)
        let repeated = before + chunks(of: documents, size: chunkSize).flatMap { $0 + $0.reversed() }.joined(separator: "\n") + after
        let path = batch.path + ".repeated.xml"
        try repeated.write(toFile: path, atomically: true, encoding: .utf8)

        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            var options = IngestOptions(chunkSize: chunkSize, partSize: 64 << 10)
            options.chunksInFlight = 3
            let summary = try await BatchIngestor.ingest(path: path, store: store, options: options)
            #expect(summary.documents == 2 * batch.count)
            #expect(summary.declarationsInserted == batch.count)
            #expect(summary.declarationsSkipped == batch.count)
            #expect(summary.linesInserted == batch.lineCount)
            #expect(summary.chunksCommitted >= 2 * batch.count / chunkSize)
            #expect(summary.messageStatus == .stored)
            #expect(try await store.count("declarations") == batch.count)
            #expect(try await store.count("declaration_lines") == batch.lineCount)
            #expect(try await store.duplicateDeclarations().isEmpty)
        }
    }

    @Test("the raw message is stored exactly as received, in parts, with its SHA-256", arguments: TestEngine.allCases)
    func rawMessage(engine: TestEngine) async throws {
        let batch = try generateBatch(type: "CEB621", count: 120)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let partSize = 16 << 10
            let summary = try await BatchIngestor.ingest(
                path: batch.path, store: store, options: IngestOptions(chunkSize: 40, partSize: partSize))
            let bytes = batch.bytes
            let digest = SHA256Digest.hex(of: bytes)
            #expect(summary.sha256 == digest)
            #expect(summary.bytes == bytes.count)
            let guid = try #require(summary.messageGuid)
            let message = try #require(try await store.message(guid: guid))
            #expect(message.rawBytes == bytes)
            #expect(message.sha256 == digest)
            #expect(message.messageType == "CEB621")
            #expect(message.senderCode == "3516980E2K")
            #expect(try await store.count("message_parts") == (bytes.count + partSize - 1) / partSize)
            #expect(try await store.count("declaration_lines") == batch.lineCount)
            #expect(try await store.stats().incompleteMessages == 0)
        }
    }

    @Test("pushed in odd-sized pieces with the sender unknown until BaseTransfer: same result", arguments: TestEngine.allCases)
    func pushedPieces(engine: TestEngine) async throws {
        let batch = try generateBatch(type: "CEB621", count: 60)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let ingestor = BatchIngestor(store: store, options: IngestOptions(chunkSize: 7, partSize: 1_000))
            let bytes = batch.bytes
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + 997, bytes.count)
                try await ingestor.feed(Array(bytes[offset..<end]))
                offset = end
            }
            let summary = try await ingestor.finish()
            #expect(summary.declarationsInserted == 60)
            #expect(summary.chunksCommitted >= 60 / 7)
            #expect(summary.sha256 == SHA256Digest.hex(of: bytes))
            #expect(try await store.message(guid: try #require(summary.messageGuid))?.rawBytes == bytes)
            #expect(try await store.count("declaration_lines") == batch.lineCount)
            await #expect(throws: IngestError.self) { _ = try await ingestor.finish() }
        }
    }

    @Test("an ingest abandoned half-way leaves whole chunks; the same input again completes it", arguments: TestEngine.allCases)
    func abandonedThenResumed(engine: TestEngine) async throws {
        let batch = try generateBatch(type: "CEB621", count: 300)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let bytes = batch.bytes
            do {
                let ingestor = BatchIngestor(store: store, options: IngestOptions(chunkSize: 25, partSize: 4_096, senderCode: "3516980E2K"))
                try await ingestor.feed(Array(bytes[0..<(bytes.count / 2)]))
                // Dropped without finish(), as a killed process would.
            }
            // Let a chunk still in flight settle, then look: whole chunks, an incomplete message.
            var stats = try await store.stats()
            for _ in 0..<200 where stats.declarationTotal % 25 != 0 {
                try await Task.sleep(for: .milliseconds(20))
                stats = try await store.stats()
            }
            #expect(stats.declarationTotal > 0 && stats.declarationTotal < 300)
            #expect(stats.declarationTotal % 25 == 0)
            #expect(stats.incompleteMessages == 1)

            let summary = try await BatchIngestor.ingest(path: batch.path, store: store, options: IngestOptions(chunkSize: 25, partSize: 4_096))
            #expect(summary.start == .resumed)
            #expect(summary.messageStatus == .stored)
            #expect(summary.declarationsInserted + summary.declarationsSkipped == 300)
            #expect(try await store.count("declarations") == 300)
            #expect(try await store.count("declaration_lines") == batch.lineCount)
            #expect(try await store.duplicateDeclarations().isEmpty)
            #expect(try await store.message(guid: try #require(summary.messageGuid))?.rawBytes == bytes)
            #expect(try await store.stats().incompleteMessages == 0)
        }
    }

    @Test("a receipt message moves its declaration's status", arguments: TestEngine.allCases)
    func receipts(engine: TestEngine) async throws {
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let inventory = try await BatchIngestor.ingest(path: Repository.samplePath("unsigned/CEB621-inventory.xml"), store: store)
            #expect(inventory.declarationsInserted == 1)
            let receipt = try await BatchIngestor.ingest(path: Repository.samplePath("CEB622-inventory-return.xml"), store: store)
            #expect(receipt.receiptsInserted == 1)
            #expect(receipt.declarationsInserted == 0)
            // As customs writes it, the receipt names no sender (no BaseTransfer); read from a file, it is customs'.
            let sender = try await store.rawQuery("SELECT sender_code FROM messages WHERE message_type = 'CEB622'")
            #expect(sender == [[BatchIngestor.unnamedAuthority]])
            let status = try await store.rawQuery("SELECT status FROM declarations WHERE cop_no = 'PTQD202611250001'")
            #expect(status == [["800"]])
            let again = try await BatchIngestor.ingest(path: Repository.samplePath("CEB622-inventory-return.xml"), store: store)
            #expect(again.receiptsInserted == 0 && again.receiptsSkipped == 1)
            let timeline = try #require(try await store.trace(.copNo("PTQD202611250001")))
            #expect(timeline.receipts.map(\.returnStatus) == ["800"])
            #expect(timeline.messages.count == 2)
        }
    }

    @Test("every valid sample ingests; declarations and receipts land where they belong", arguments: TestEngine.allCases)
    func samples(engine: TestEngine) async throws {
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let dir = repositoryRoot.appendingPathComponent("samples/valid").path
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".xml") }.sorted()
            try #require(files.count > 20)
            var declarations = 0
            for file in files {
                let summary = try await BatchIngestor.ingest(path: dir + "/" + file, store: store)
                #expect(summary.invalidDocuments == 0, "\(file)")
                #expect(summary.messageStatus == .stored || summary.messageStatus == .duplicate, "\(file)")
                declarations += summary.declarationsInserted
            }
            let stats = try await store.stats()
            #expect(stats.declarationTotal == declarations)
            #expect(stats.incompleteMessages == 0)
            let kinds = Set(stats.declarations.map(\.kind))
            for kind: DeclarationKind in [.order, .payment, .logistics, .inventory, .inventoryCancel, .inventoryRefund,
                                          .exportOrder, .exportPayment, .exportLogistics, .exportInventory,
                                          .exportInventoryCancel, .manifest] {
                #expect(kinds.contains(kind), "\(kind)")
            }
            #expect(stats.receipts > 0)
            // Buyer data masked, never stored raw.
            let ids = try await store.rawQuery("SELECT buyer_id_masked, buyer_phone_masked FROM declarations WHERE kind = 'order'")
            #expect(ids.allSatisfy { ($0[0] ?? "").contains("*") && ($0[1] ?? "").contains("*") })
        }
    }

    @Test("a sender that does not match BaseTransfer stops the ingest before completion", arguments: [TestEngine.sqlite])
    func senderMismatch(engine: TestEngine) async throws {
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) { () async throws in
            await #expect(throws: IngestError.self) {
                _ = try await BatchIngestor.ingest(path: Repository.samplePath("unsigned/CEB621-inventory.xml"), store: store,
                                                   options: IngestOptions(senderCode: "SOMEONEELSE"))
            }
            #expect(try await store.count("messages", where: "complete = 1") == 0)
        }
    }

    @Test("malformed XML: documents before the fault stay in whole chunks, the message stays incomplete", arguments: [TestEngine.sqlite])
    func malformed(engine: TestEngine) async throws {
        let batch = try generateBatch(type: "CEB621", count: 100)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            var bytes = batch.bytes
            bytes.removeLast(bytes.count / 3)
            bytes += Array("<ceb:Inventory><broken".utf8) + Array("</wrong>".utf8)
            let ingestor = BatchIngestor(store: store, options: IngestOptions(chunkSize: 10, senderCode: "3516980E2K"))
            await #expect(throws: IngestError.self) {
                try await ingestor.feed(bytes)
                _ = try await ingestor.finish()
            }
            let stored = try await store.count("declarations")
            #expect(stored > 0 && stored % 10 == 0)
            #expect(try await store.stats().incompleteMessages == 1)
        }
    }

    @Test("the sender is found at the end of a file")
    func trailingSender() {
        let tail = Array("</ceb:Inventory>\n<ceb:BaseTransfer>\n <ceb:copCode> 3516980E2K </ceb:copCode>\n<ceb:copName>x</ceb:copName></ceb:BaseTransfer></ceb:CEB621Message>".utf8)
        #expect(BatchIngestor.senderCode(inTail: tail) == "3516980E2K")
        #expect(BatchIngestor.senderCode(inTail: Array("<BaseTransfer><copCode>A1</copCode></BaseTransfer>".utf8)) == "A1")
        #expect(BatchIngestor.senderCode(inTail: Array("<ceb:Inventory></ceb:Inventory>".utf8)) == nil)
        #expect(BatchIngestor.senderCode(inTail: []) == nil)
    }
}

/// A generated CEB621 batch cut into what comes before its inventories, each inventory, and what follows.
func inventories(of batch: Batch) throws -> (before: String, documents: [String], after: String) {
    let text = try String(contentsOfFile: batch.path, encoding: .utf8)
    let open = "<ceb:Inventory>", close = "</ceb:Inventory>"
    let head = try #require(text.range(of: open)), tail = try #require(text.range(of: close, options: .backwards))
    let documents = text[head.lowerBound..<tail.upperBound].components(separatedBy: close)
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.map { $0 + close }
    try #require(documents.count == batch.count)
    return (String(text[..<head.lowerBound]), documents, String(text[tail.upperBound...]))
}

/// `documents` cut into runs of `size`, as an ingest with that chunk size cuts them.
func chunks(of documents: [String], size: Int) -> [ArraySlice<String>] {
    stride(from: 0, to: documents.count, by: size).map { documents[$0..<min($0 + size, documents.count)] }
}
