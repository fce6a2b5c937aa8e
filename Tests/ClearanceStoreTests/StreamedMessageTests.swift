import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// Streamed messages (raw bytes in parts, declarations in chunk transactions), on both engines.
@Suite("Streamed messages")
struct StreamedMessageTests {
    static let sender = ShipmentFixture.agentCode

    static func header(_ guid: String) -> StreamedMessage {
        StreamedMessage(guid: guid, messageType: "CEB621", senderCode: sender, direction: .inbound,
                        receivedAt: ShipmentFixture.base, signatureVerdict: "unchecked")
    }

    /// Bytes with every value 0…255, CR/LF, backslashes and NULs: what a text path would mangle.
    static func rawBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }

    static func parts(_ bytes: [UInt8], size: Int) -> [MessagePart] {
        stride(from: 0, to: bytes.count, by: size).enumerated().map { i, start in
            MessagePart(index: i, bytes: Array(bytes[start..<min(start + size, bytes.count)]))
        }
    }

    /// Inventories of fixture shipments re-addressed to the streamed message.
    static func declarations(_ range: Range<Int>, guid: String) -> [DeclarationRecord] {
        range.map { n in
            var d = ShipmentFixture(n).items.flatMap(\.declarations).first { $0.kind == .inventory }!
            d.messageGuid = guid
            return d
        }
    }

    @Test("parts, chunks and completion store the exact bytes and every declaration once", arguments: TestEngine.allCases)
    func streamAndComplete(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let guid = ShipmentFixture.guid("STREAM01", 1)
            let raw = Self.rawBytes(10_000)
            let parts = Self.parts(raw, size: 1_024)

            let start = try await store.beginStreamedMessage(Self.header(guid))
            #expect(start.state == .new)
            #expect(try await store.stats().incompleteMessages == 1)
            var inserted = 0
            for (i, group) in parts.chunked(4).enumerated() {
                let report = try await store.ingestStreamedChunk(StreamedChunk(
                    messageGuid: guid, senderCode: Self.sender, parts: Array(group),
                    declarations: Self.declarations((i * 3)..<(i * 3 + 3), guid: guid)))
                #expect(report.chunksCommitted == 1)
                inserted += report.declarationsInserted
            }
            #expect(inserted == 9)
            // Incomplete messages are not served as if whole.
            await #expect(throws: StoreError.self) { _ = try await store.message(guid: guid) }

            let digest = SHA256Digest.hex(of: raw)
            let outcome = try await store.finishStreamedMessage(guid: guid, sha256: digest, size: Int64(raw.count), partCount: parts.count)
            #expect(outcome.status == .stored)
            let message = try #require(try await store.message(guid: guid))
            #expect(message.rawBytes == raw)
            #expect(message.sha256 == digest)
            let stats = try await store.stats()
            #expect(stats.incompleteMessages == 0)
            #expect(stats.messageParts == parts.count)
            #expect(stats.declarationTotal == 9)
            #expect(try await store.count("events", where: "kind = 'received'") == 1)
            #expect(try await store.rawQuery("SELECT size FROM messages WHERE guid = $1", [.text(guid)]) == [[String(raw.count)]])

            // The same message again: already complete, duplicate, nothing new.
            let again = try await store.beginStreamedMessage(Self.header(guid))
            #expect(again.state == .complete)
            #expect(again.storedSHA256 == digest)
            let rerun = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, declarations: Self.declarations(0..<9, guid: guid)))
            #expect(rerun.declarationsInserted == 0 && rerun.declarationsSkipped == 9)
            #expect(try await store.finishStreamedMessage(guid: guid, sha256: digest, size: Int64(raw.count), partCount: parts.count).status == .duplicate)
            #expect(try await store.finishStreamedMessage(guid: guid, sha256: String(repeating: "0", count: 64), size: 1, partCount: 1).status == .guidConflict)
        }
    }

    @Test("an interrupted message resumes: parts are replaced in place, nothing doubles", arguments: TestEngine.allCases)
    func resume(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let guid = ShipmentFixture.guid("STREAM02", 2)
            let raw = Self.rawBytes(5_000)
            let parts = Self.parts(raw, size: 1_000)
            _ = try await store.beginStreamedMessage(Self.header(guid))
            // First run: dies after two chunks (the first parts were even written with wrong bytes).
            var garbled = parts[0]
            garbled.bytes = [UInt8](repeating: 0x41, count: 1_000)
            _ = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, parts: [garbled, parts[1]], declarations: Self.declarations(0..<2, guid: guid)))
            _ = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, parts: [parts[2]], declarations: Self.declarations(2..<4, guid: guid)))
            // Finishing with missing parts is refused.
            await #expect(throws: StoreError.self) {
                _ = try await store.finishStreamedMessage(guid: guid, sha256: SHA256Digest.hex(of: raw), size: 5_000, partCount: parts.count)
            }

            // Second run from the start.
            #expect(try await store.beginStreamedMessage(Self.header(guid)).state == .resumed)
            var inserted = 0, skipped = 0
            for (i, group) in parts.chunked(2).enumerated() {
                let report = try await store.ingestStreamedChunk(StreamedChunk(
                    messageGuid: guid, senderCode: Self.sender, parts: Array(group),
                    declarations: Self.declarations((i * 2)..<(i * 2 + 2), guid: guid)))
                inserted += report.declarationsInserted
                skipped += report.declarationsSkipped
            }
            #expect(inserted == 2 && skipped == 4)
            let digest = SHA256Digest.hex(of: raw)
            #expect(try await store.finishStreamedMessage(guid: guid, sha256: digest, size: 5_000, partCount: parts.count).status == .stored)
            #expect(try await store.message(guid: guid)?.rawBytes == raw)
            #expect(try await store.count("message_parts") == parts.count)
            #expect(try await store.count("declarations") == 6)
            let duplicates = try await store.rawQuery(
                "SELECT kind, sender_code, dedup_key FROM declarations GROUP BY kind, sender_code, dedup_key HAVING COUNT(*) > 1")
            #expect(duplicates.isEmpty)
        }
    }

    @Test("a chunk for another sender or an unknown message is refused whole", arguments: TestEngine.allCases)
    func refusals(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let guid = ShipmentFixture.guid("STREAM03", 3)
            await #expect(throws: StoreError.self) {
                _ = try await store.ingestStreamedChunk(StreamedChunk(messageGuid: guid, senderCode: Self.sender))
            }
            _ = try await store.beginStreamedMessage(Self.header(guid))
            await #expect(throws: StoreError.self) {
                _ = try await store.ingestStreamedChunk(StreamedChunk(
                    messageGuid: guid, senderCode: "OTHER", parts: [MessagePart(index: 0, bytes: [1])],
                    declarations: Self.declarations(0..<1, guid: guid)))
            }
            #expect(try await store.count("message_parts") == 0)
            #expect(try await store.count("declarations") == 0)
            var other = Self.header(guid)
            other.senderCode = "OTHER"
            await #expect(throws: StoreError.self) { _ = try await store.beginStreamedMessage(other) }
        }
    }

    @Test("a declaration repeated within one chunk is stored once, with its lines once", arguments: TestEngine.allCases)
    func repeatedInChunk(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let guid = ShipmentFixture.guid("STREAM04", 4)
            _ = try await store.beginStreamedMessage(Self.header(guid))
            let once = Self.declarations(0..<3, guid: guid)
            let report = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, declarations: once + [once[1]]))
            #expect(report.declarationsInserted == 3 && report.declarationsSkipped == 1)
            let lines = once.reduce(0) { $0 + $1.lines.count }
            #expect(report.linesInserted == lines && report.linesSkipped == once[1].lines.count)
            #expect(try await store.count("declaration_lines") == lines)
            #expect(try await store.count("declarations") == 3)
        }
    }

    /// Chunks above one statement's rows take PostgreSQL's bulk path: new keys copied straight
    /// into `declarations`, a chunk with a stored key rolled back to staging and `ON CONFLICT`.
    @Test("bulk chunks store new keys once, skip stored and repeated ones, and lose no line", arguments: TestEngine.allCases)
    func bulkChunks(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let guid = ShipmentFixture.guid("STREAM05", 5)
            _ = try await store.beginStreamedMessage(Self.header(guid))
            let all = Self.declarations(0..<120, guid: guid)
            #expect(!RowInsertWriter.suitsPostgres(try PreparedChunk(
                streamed: StreamedChunk(messageGuid: guid, senderCode: Self.sender, declarations: Array(all[0..<40])),
                masker: try BuyerIdentityMasker(salt: testSalt), now: 0)))
            func lines(_ range: Range<Int>) -> Int { all[range].reduce(0) { $0 + $1.lines.count } }
            func maxId() async throws -> Int64 {
                Int64(try await store.rawQuery("SELECT MAX(id) FROM declarations").first?[0] ?? "") ?? 0
            }

            let first = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, declarations: Array(all[0..<40])))
            #expect(first.declarationsInserted == 40 && first.declarationsSkipped == 0 && first.linesInserted == lines(0..<40))

            // Ten keys already stored, one repeated within the chunk.
            let overlap = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, declarations: Array(all[30..<80]) + [all[50]]))
            #expect(overlap.declarationsInserted == 40 && overlap.declarationsSkipped == 11)
            #expect(overlap.linesInserted == lines(40..<80))
            #expect(overlap.linesSkipped == lines(30..<40) + all[50].lines.count)

            // All new but one repeated: on PostgreSQL copied with exactly as many ids as keys
            // (staging's `ON CONFLICT` would spend one on the repeat, a failed copy forty more).
            let before = try await maxId()
            let fresh = try await store.ingestStreamedChunk(StreamedChunk(
                messageGuid: guid, senderCode: Self.sender, declarations: [all[80]] + Array(all[80..<120])))
            #expect(fresh.declarationsInserted == 40 && fresh.declarationsSkipped == 1)
            #expect(fresh.linesInserted == lines(80..<120) && fresh.linesSkipped == all[80].lines.count)
            #expect(try await maxId() - before == 40)

            #expect(try await store.count("declarations") == 120)
            #expect(try await store.count("declaration_lines") == lines(0..<120))
            let orphans = try await store.rawQuery("""
                SELECT COUNT(*) FROM declaration_lines l JOIN declarations d ON d.id = l.declaration_id
                WHERE d.message_id <> (SELECT id FROM messages WHERE guid = '\(guid)')
                """)
            #expect(orphans.first?[0] == "0")
            let perDeclaration = try await store.rawQuery("""
                SELECT d.declaration_guid, COUNT(l.gnum) FROM declarations d
                LEFT JOIN declaration_lines l ON l.declaration_id = d.id GROUP BY d.declaration_guid
                """)
            let expected = Dictionary(uniqueKeysWithValues: all.map { ($0.declarationGuid, Int64($0.lines.count)) })
            #expect(perDeclaration.count == 120)
            for row in perDeclaration { #expect(Int64(row[1] ?? "") == expected[row[0] ?? ""]) }
        }
    }

    @Test("a whole message larger than a part is stored in 1 MiB parts, none in its head, and reads back whole and piece by piece", arguments: TestEngine.allCases)
    func wholeMessageInParts(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let raw = Self.rawBytes(2 * (1 << 20) + 123)
            var item = ShipmentFixture(1).items[0]
            item.message.rawBytes = raw
            item.message.sha256 = SHA256Digest.hex(of: raw)
            #expect(try await store.ingest([item]).messages.map(\.status) == [.stored])
            let rows = try await store.rawQuery("""
                SELECT p.part_no, length(p.bytes) FROM messages m JOIN message_parts p ON p.message_id = m.id
                WHERE m.guid = $1 AND length(m.raw) = 0 ORDER BY p.part_no
                """, [.text(item.message.guid)])
            #expect(rows == [["0", "1048576"], ["1", "1048576"], ["2", "123"]])
            #expect(try await store.message(guid: item.message.guid)?.rawBytes == raw)
            let pieces = try #require(try await store.messageHeader(guid: item.message.guid)).pieces
            var read: [UInt8] = []
            for index in 0..<pieces { read += try await store.rawPiece(guid: item.message.guid, index: index) }
            #expect(pieces == 4 && read == raw)
            // Stored again: a duplicate, nothing written twice.
            #expect(try await store.ingest([item]).messages.map(\.status) == [.duplicate])
            #expect(try await store.count("message_parts") == 3)
        }
    }

    @Test("a single message's raw XML is stored lz4-compressed in a raw part on PostgreSQL, as a batch's are")
    func rawBytesAreLZ4Compressed() async throws {
        let store = try await makeStore(.postgresql)
        try await withCleanup({ await store.close() }) {
            // A real order (3.3 KB): big enough for PostgreSQL to compress it inline.
            let xml = try [UInt8](Data(contentsOf: Repository.root.appendingPathComponent("samples/valid/CEB311-order.xml")))
            var item = ShipmentFixture(1).items[0]
            item.message.rawBytes = xml
            item.message.sha256 = SHA256Digest.hex(of: xml)
            _ = try await store.ingest([item])
            let rows = try await store.rawQuery("""
                SELECT pg_column_compression(p.bytes), octet_length(p.bytes), p.part_no, octet_length(m.raw)
                FROM messages m JOIN message_parts p ON p.message_id = m.id WHERE m.guid = $1
                """, [.text(item.message.guid)])
            #expect(rows == [["lz4", String(xml.count), "0", "0"]])
            #expect(try await store.message(guid: item.message.guid)?.rawBytes == xml)
        }
    }
}
