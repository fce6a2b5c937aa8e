import CEBModel
import ClearanceRules
import ClearanceStore
import XMLStreaming

/// Streams one CEB message (a single document or a batch of hundreds of MB) through the SAX
/// core and validation into a ``ClearanceStore/Store``, with parsing and writing overlapped.
///
/// Push API: ``feed(_:)-(UnsafeRawBufferPointer)`` chunks of any size as they arrive (file, standard input,
/// an HTTP body), then ``finish()``. One ingestor ingests one message; drive it from one task.
///
/// - Validation: every document is judged exactly as `clearance validate` judges it and reported
///   to the ``IngestObserver``. Documents with errors are **not stored** (the raw message, which
///   is stored whole, still holds them); valid declarations are stored, valid receipts move
///   their declaration's status.
/// - Chunks: valid declarations are collected into chunks of ``IngestOptions/chunkSize``; each
///   chunk is one store transaction. While the store writes chunks (on its own threads),
///   parsing fills the next: at most ``IngestOptions/chunksInFlight`` chunks in flight and one
///   filling (and one batch of raw parts in flight beside them, on another connection), so memory
///   stays flat whatever the input. Chunks in flight may commit in any order; a chunk that builds
///   on earlier ones (lines of a document begun in an earlier chunk, receipts, withdrawals, manifest
///   links), or repeats a declaration key of one in flight, waits for all of them first, so the
///   first occurrence of a key in the message is the one stored, as when chunks went one by one.
/// - Raw bytes: the message is stored "exactly as received" in parts of
///   ``IngestOptions/partSize`` (in their own transactions); its SHA-256 is computed as it streams
///   and recorded, with the size, when the message is marked complete at the end.
/// - Crash safety: a killed ingest leaves whole chunks and an incomplete message row; running
///   the same input again skips what is stored, rewrites the parts, and completes the message.
public final class BatchIngestor {
    private let store: any Store
    private let options: IngestOptions
    private let collector: DocumentCollector
    private let validator: MessageValidator
    private let hasher = SHA256Hasher()
    private var partBuffer: [UInt8] = []
    private var partCount = 0
    private var bytesRead = 0
    private var started: StreamedMessageStart?
    /// Chunk writes in flight, oldest first, with the declaration keys each writes.
    private var inFlight: [(task: Task<ChunkResult, any Error>, keys: Set<String>)] = []
    private var partsInFlight: Task<Void, any Error>?
    private var isFinished = false

    /// Creates an ingestor writing to `store`. The observer is held weakly.
    public init(store: any Store, options: IngestOptions = IngestOptions(), observer: (any IngestObserver)? = nil) {
        self.store = store
        self.options = options
        collector = DocumentCollector(chunkSize: options.chunkSize, maxChunkLines: options.maxChunkLines, acceptsReceipts: options.acceptsReceipts, observer: observer)
        validator = MessageValidator(options: options.validation, threading: options.threading, observer: collector)
        partBuffer.reserveCapacity(options.partSize)
    }

    /// Bytes fed so far.
    public var bytesConsumed: Int { bytesRead }

    /// Running totals (committed chunks only for the store counts).
    public var summary: IngestSummary { collector.summary }

    /// Ingests the next bytes. Returns once they are parsed and any full chunk is handed to the
    /// store (waiting only while the previous chunk is still being written).
    public func feed(_ bytes: UnsafeRawBufferPointer) async throws(IngestError) {
        guard !isFinished else { throw .finished }
        hasher.update(bytes)
        bytesRead += bytes.count
        collector.summary.bytes = bytesRead
        appendParts(bytes)
        do {
            try validator.feed(bytes)
        } catch {
            // Chunks completed before the fault hold valid documents: commit them, then stop.
            collector.abandonStreaming()
            try? await handOver()
            await abandon()
            throw .xml(error)
        }
        if collector.filling.partBytes >= options.maxChunkBytes { collector.cut() }
        try await handOver()
    }

    /// Ingests the next bytes.
    public func feed(_ bytes: [UInt8]) async throws(IngestError) {
        try await bytes.withUnsafeBytesAsync { (raw) async throws(IngestError) in try await feed(raw) }
    }

    /// Ends the input: parses the end, commits the last chunk, and marks the message complete
    /// with its digest and size. Returns the final summary.
    public func finish() async throws(IngestError) -> IngestSummary {
        guard !isFinished else { throw .finished }
        isFinished = true
        do {
            try validator.finish()
        } catch {
            isFinished = false
            collector.abandonStreaming()
            try? await handOver()
            await abandon()
            throw .xml(error)
        }
        if !partBuffer.isEmpty || partCount == 0 { flushPart() }
        collector.cut()
        guard let envelope = collector.envelope else {
            await abandon()
            throw .notACEBMessage(root: collector.header?.rootElement ?? "")
        }
        let found = envelope.baseTransfer?.copCode ?? ""
        if let expected = options.senderCode, !found.isEmpty, found != expected {
            await abandon()
            throw .senderMismatch(expected: expected, found: found)
        }
        try await handOver()
        try await awaitInFlight()
        try await awaitParts()
        guard let guid = collector.header?.guid else { throw .missingGuid }
        let digest = hasher.finalizeHex()
        let outcome: MessageOutcome
        do {
            outcome = try await store.finishStreamedMessage(guid: guid, sha256: digest, size: Int64(bytesRead), partCount: partCount)
        } catch {
            throw .store(error)
        }
        collector.summary.messageStatus = outcome.status
        collector.summary.sha256 = digest
        return collector.summary
    }

    /// Ends an input that stopped early (the sender went away, a limit was crossed): stores the
    /// documents read whole so far (validated as usual, including the chunk still filling), waits
    /// for the writes in flight, and leaves the message incomplete — running the same input again
    /// resumes it. Returns the summary. Does nothing after ``finish()`` or a failed ``feed(_:)-…``.
    @discardableResult
    public func interrupt() async -> IngestSummary {
        guard !isFinished else { return collector.summary }
        collector.cut()
        collector.abandonStreaming()
        try? await handOver()
        await abandon()
        return collector.summary
    }

    // MARK: Raw parts

    private func appendParts(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let take = min(options.partSize - partBuffer.count, bytes.count - offset)
            partBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
            if partBuffer.count == options.partSize { flushPart() }
        }
    }

    private func flushPart() {
        collector.filling.parts.append(MessagePart(index: partCount, bytes: partBuffer))
        collector.filling.partBytes += partBuffer.count
        partCount += 1
        partBuffer.removeAll(keepingCapacity: true)
    }

    // MARK: Handing chunks to the store

    /// The sender of a receipt that names none, read without a given sender (a file from disk).
    ///
    /// Customs writes receipts without `BaseTransfer`: the channel they arrive on says who sent them,
    /// and callers that know the channel pass it as ``IngestOptions/senderCode``. The same name the
    /// routing layer's receipt processor stores such receipts under.
    public static let unnamedAuthority = "customs"

    /// The sender declarations are stored under: given, else `BaseTransfer/copCode` once read, else, for a
    /// message whose official schema has no `BaseTransfer` (a receipt), ``unnamedAuthority`` once it is read whole.
    private var sender: String? {
        if let given = options.senderCode, !given.isEmpty { return given }
        if let code = collector.envelope?.baseTransfer?.copCode, !code.isEmpty { return code }
        if isFinished, let spec = collector.header?.spec, !spec.requiresBaseTransfer { return Self.unnamedAuthority }
        return nil
    }

    /// Hands every ready chunk to the store, at most ``IngestOptions/chunksInFlight`` at a time.
    /// Chunks wait while the sender is unknown (no ``IngestOptions/senderCode`` and `BaseTransfer`
    /// not read yet).
    private func handOver() async throws(IngestError) {
        while !collector.ready.isEmpty {
            guard let sender else {
                if isFinished { await abandon(); throw .missingSender }
                return
            }
            let chunk = collector.ready.removeFirst()
            let (guid, begun) = try await begin(sender: sender)
            let store = self.store
            // Raw parts go in their own transactions, on a second connection, while the
            // declarations of the same chunk are written: both cores of the server work. A message
            // already stored complete keeps its parts.
            if begun.state != .complete, !chunk.parts.isEmpty {
                try await awaitParts()
                let parts = StreamedChunk(messageGuid: guid, senderCode: sender, parts: chunk.parts)
                partsInFlight = Task { _ = try await store.ingestStreamedChunk(parts) }
            }
            guard !chunk.declarations.isEmpty || !chunk.receipts.isEmpty || !chunk.hasNoRows else { continue }
            // A chunk that reads what earlier chunks wrote, or writes a key one of them writes, waits for
            // all of them; others only for room.
            let keys = Set(chunk.declarations.map { "\($0.kind.rawValue)\u{1F}\($0.dedupKey)" })
            let dependsOnEarlierChunks = !chunk.hasNoRows || !chunk.receipts.isEmpty
                || inFlight.contains { !$0.keys.isDisjoint(with: keys) }
            try await awaitInFlight(leaving: dependsOnEarlierChunks ? 0 : options.chunksInFlight - 1)
            let streamed = StreamedChunk(messageGuid: guid, senderCode: sender, declarations: chunk.declarations, moreLines: chunk.moreLines)
            let (receipts, withdrawn, manifests) = (chunk.receipts, chunk.withdrawn, chunk.manifests)
            inFlight.append((task: Task {
                let report = streamed.declarations.isEmpty && streamed.moreLines.isEmpty
                    ? IngestReport() : try await store.ingestStreamedChunk(streamed)
                let outcomes = receipts.isEmpty ? [] : try await store.storeReceipts(receipts)
                // After the chunk holding their last lines: a withdrawn declaration's lines are all stored
                // (and removed with it), a manifest's are all there to link.
                var removed = 0
                for head in withdrawn {
                    if try await store.withdrawStreamedDeclaration(senderCode: sender, declaration: head) { removed += 1 }
                }
                var links = ManifestLinkReport()
                for head in manifests { links.add(try await store.linkManifest(senderCode: sender, declaration: head)) }
                return ChunkResult(report: report, receiptsInserted: outcomes.filter(\.inserted).count,
                                   receiptsSkipped: outcomes.filter { !$0.inserted }.count, links: links, withdrawn: removed)
            }, keys: keys))
        }
    }

    /// Creates or resumes the message row on first use.
    private func begin(sender: String) async throws(IngestError) -> (guid: String, state: StreamedMessageStart) {
        guard let header = collector.header else { throw .notACEBMessage(root: "") }
        guard let spec = header.spec else { await abandon(); throw .notACEBMessage(root: header.rootElement) }
        guard let guid = header.guid, !guid.isEmpty else { await abandon(); throw .missingGuid }
        if let started { return (guid, started) }
        do {
            let start = try await store.beginStreamedMessage(StreamedMessage(
                guid: guid, messageType: spec.number, senderCode: sender, direction: options.direction,
                receivedAt: options.receivedAt, signatureVerdict: options.signatureVerdict))
            started = start
            collector.summary.start = start.state
            return (guid, start)
        } catch {
            throw .store(error)
        }
    }

    /// Waits for the raw parts in flight.
    private func awaitParts() async throws(IngestError) {
        guard let task = partsInFlight else { return }
        partsInFlight = nil
        do {
            try await task.value
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.invalidInput("\(error)"))
        }
    }

    /// Waits for chunks in flight, oldest first, until at most `leaving` remain, adding their results
    /// to the summary. When one failed, waits for all the others too (each commits or fails whole,
    /// and the summary counts those that committed), then throws the first failure.
    private func awaitInFlight(leaving: Int = 0) async throws(IngestError) {
        var failure: IngestError?
        while inFlight.count > (failure == nil ? max(0, leaving) : 0) {
            do throws(IngestError) {
                try await awaitOldest()
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    private func awaitOldest() async throws(IngestError) {
        let task = inFlight.removeFirst().task
        let result: ChunkResult
        do {
            result = try await task.value
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.invalidInput("\(error)"))
        }
        var s = collector.summary
        s.declarationsInserted += result.report.declarationsInserted
        s.declarationsSkipped += result.report.declarationsSkipped
        s.linesInserted += result.report.linesInserted
        s.linesSkipped += result.report.linesSkipped
        s.receiptsInserted += result.receiptsInserted
        s.receiptsSkipped += result.receiptsSkipped
        s.chunksCommitted += result.report.chunksCommitted
        s.manifestLinks.add(result.links)
        s.declarationsWithdrawn += result.withdrawn
        collector.summary = s
        collector.observer?.chunkCommitted(s)
    }

    /// On failure: lets the chunks in flight finish (each commits or fails whole), and stops.
    private func abandon() async {
        isFinished = true
        collector.ready.removeAll()
        try? await awaitInFlight()
        try? await awaitParts()
    }
}

/// What one chunk transaction (and its receipts) did.
struct ChunkResult: Sendable {
    let report: IngestReport
    let receiptsInserted: Int
    let receiptsSkipped: Int
    /// Consolidated waybills linked after the chunk.
    var links = ManifestLinkReport()
    /// Streamed declarations withdrawn after the chunk.
    var withdrawn = 0
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for an async body (the buffer is valid for the whole call).
    func withUnsafeBytesAsync<R>(_ body: (UnsafeRawBufferPointer) async throws(IngestError) -> R) async throws(IngestError) -> R {
        let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { pointer.deallocate() }
        if count > 0 { withUnsafeBytes { pointer.copyMemory(from: $0) } }
        return try await body(UnsafeRawBufferPointer(pointer))
    }
}
