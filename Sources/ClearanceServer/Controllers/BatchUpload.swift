import ClearanceIngest
import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// One batch upload in progress: the request body streamed (gzip decoded when asked) through the
/// SAX core and validation into the store, with the batch row kept up to date for
/// `GET /v1/batches/{id}`.
///
/// The body is read in two stretches by the same upload: first by the request handler, until the
/// body ends or the early-answer point is reached (``receive(answerEarly:)`` returns
/// ``Progress/receiving``), then — after the 202 has been written — by the response body writer,
/// which reads the rest. Hummingbird reads the next request of the connection only when the
/// response is finished, so the body has exactly one reader at any time; that hand-over is why
/// this class is `@unchecked Sendable` (it is never used by two tasks at once).
///
/// The upload's deadline (``ServerConfiguration/batchTimeoutSeconds``) holds even when the client
/// stops sending: a watchdog closes the connection when it passes, the pending read fails, and the
/// batch is saved as failed with the reason.
final class BatchUpload: @unchecked Sendable {
    /// How far ``receive(answerEarly:)`` got.
    enum Progress: Sendable {
        /// The body ended and the batch is stored.
        case completed
        /// The early-answer point was reached; more body is to come.
        case receiving
    }

    /// When the handler stops reading to answer: after this many body bytes, or — for a body
    /// arriving in more than one piece — once this much time has passed since the upload started,
    /// whichever comes first. (A body handed over whole, as in router tests, is never cut by time.)
    struct EarlyAnswer: Sendable {
        var bytes: Int64
        var seconds: Double
    }

    /// The batch as last saved.
    private(set) var batch: BatchRecord
    private let store: any AccessStore
    private let ingestor: BatchIngestor
    private let forwarder: BatchForwarder?
    /// The inbound signature gate, verifying the whole batch's enveloped signature as it streams.
    private let signature: StreamingSignatureCheck
    private let collector: BatchErrorCollector
    private let inflater: GzipInflater?
    private var body: RequestBody.AsyncIterator
    private let limit: Int64
    private let expectedLength: Int64?
    private let timeoutSeconds: Double
    private let started = ContinuousClock.now
    private var received: Int64 = 0
    private var pieces = 0
    private var decoded: Int64 = 0
    private var lastSave = ContinuousClock.now
    private var savedAt: Int64 = 0
    private let deadlinePassed = Atomic(false)
    private var watchdog: Task<Void, Never>?

    /// Starts an upload: saves the batch row in the `receiving` state.
    /// - Parameter connection: closed when the deadline passes with the body still unread.
    static func start(
        id: String, enterprise: EnterpriseRecord, request: Request, limit: Int64, timeoutSeconds: Double, store: any AccessStore,
        forwarder: BatchForwarder? = nil, gate: InboundSignatureGate = InboundSignatureGate(), connection: (any Channel)? = nil
    ) async throws -> BatchUpload {
        let gzip = request.headers[.contentEncoding]?.lowercased() == "gzip"
        // The uploading enterprise is the batch's sender (its copCode is checked at the end);
        // ops upload for others, whose certificates are not looked up here.
        let signature = StreamingSignatureCheck(gate: gate, signer: enterprise.role == .ops ? nil : enterprise, claimedCode: enterprise.code)
        let upload = BatchUpload(
            signature: signature,
            batch: BatchRecord(id: id, enterpriseCode: enterprise.code), store: store,
            senderCode: enterprise.role == .ops ? nil : enterprise.code, inflater: gzip ? try GzipInflater() : nil,
            body: request.body.makeAsyncIterator(), limit: limit,
            expectedLength: request.headers[.contentLength].flatMap(Int64.init), timeoutSeconds: timeoutSeconds,
            forwarder: forwarder)
        try await store.saveBatch(upload.batch)
        upload.watchdog = Task { [weak upload] in
            try? await Task.sleep(for: .milliseconds(Int64(timeoutSeconds * 1000)))
            guard !Task.isCancelled, let upload else { return }
            upload.deadlinePassed.store(true, ordering: .releasing)
            connection?.close(promise: nil)
        }
        return upload
    }

    private init(
        signature: StreamingSignatureCheck, batch: BatchRecord, store: any AccessStore, senderCode: String?, inflater: GzipInflater?, body: RequestBody.AsyncIterator,
        limit: Int64, expectedLength: Int64?, timeoutSeconds: Double, forwarder: BatchForwarder?
    ) {
        self.batch = batch
        self.signature = signature
        self.forwarder = forwarder
        self.store = store
        collector = BatchErrorCollector(batchId: batch.id)
        var options = IngestOptions(senderCode: senderCode, signatureVerdict: "unchecked", receivedAt: Date())
        options.acceptsReceipts = false
        ingestor = BatchIngestor(store: store, options: options, observer: collector)
        self.inflater = inflater
        self.body = body
        self.limit = limit
        self.expectedLength = expectedLength
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { watchdog?.cancel() }

    /// Decoded bytes so far.
    var decodedBytes: Int64 { decoded }

    /// Seconds since the upload started.
    var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Reads and ingests the body until it ends (the batch is then completed and saved), or —
    /// with `answerEarly` — until that point is passed with body still to come.
    /// - Throws: ``BatchUploadFailure``, after the batch has been saved as failed with the reason
    ///   and everything stored before the failure kept.
    func receive(answerEarly: EarlyAnswer?) async throws(BatchUploadFailure) -> Progress {
        do {
            while let chunk = try await nextChunk() {
                received += Int64(chunk.readableBytes)
                pieces += 1
                let bytes = Array(chunk.readableBytesView)
                if let inflater {
                    do {
                        try await inflater.inflate(bytes) { piece in try await self.feed(piece) }
                    } catch let error as BatchUploadFailure {
                        throw error
                    } catch let error as InflateError {
                        throw BatchUploadFailure.inflate(error)
                    }
                } else {
                    try await feed(bytes)
                }
                if elapsedSeconds > timeoutSeconds { throw BatchUploadFailure.timedOut(seconds: timeoutSeconds) }
                if decoded - savedAt >= 4 << 20 || ContinuousClock.now - lastSave > .seconds(1) {
                    try await save()
                }
                if let answerEarly, received >= answerEarly.bytes || (pieces > 1 && elapsedSeconds >= answerEarly.seconds) {
                    try await save()
                    return .receiving
                }
            }
            if let expectedLength, received < expectedLength {
                throw BatchUploadFailure.truncated(received: received, expected: expectedLength)
            }
            if let inflater, !inflater.isFinished { throw BatchUploadFailure.inflate(InflateError(description: "the gzip stream ends early")) }
            let summary: IngestSummary
            do {
                summary = try await ingestor.finish()
            } catch {
                throw BatchUploadFailure.ingest(error)
            }
            watchdog?.cancel()
            batch.status = .completed
            let decision = signature.finish()
            batch.signature = decision.verdict
            try await save(summary)
            if let refusal = decision.refusal {
                await refuse(summary, refusal)
            } else {
                await forward(summary)
            }
            return .completed
        } catch {
            watchdog?.cancel()
            let failure = error as? BatchUploadFailure ?? .ingest(.store(error as? StoreError ?? .invalidInput("\(error)")))
            // Whole documents received before the failure are stored (a no-op when the ingest itself failed).
            _ = await ingestor.interrupt()
            batch.status = .failed
            batch.failure = failure.description
            try? await save()
            throw failure
        }
    }

    /// The next body part; a connection that fails while reading is an interrupted upload.
    private func nextChunk() async throws(BatchUploadFailure) -> ByteBuffer? {
        do {
            let chunk = try await body.next()
            if chunk == nil, deadlinePassed.load(ordering: .acquiring) { throw BatchUploadFailure.timedOut(seconds: timeoutSeconds) }
            return chunk
        } catch {
            if deadlinePassed.load(ordering: .acquiring) { throw .timedOut(seconds: timeoutSeconds) }
            if let expectedLength, received < expectedLength { throw .truncated(received: received, expected: expectedLength) }
            throw .interrupted(received: received, reason: String(describing: error))
        }
    }

    private func feed(_ piece: [UInt8]) async throws(BatchUploadFailure) {
        decoded += Int64(piece.count)
        if decoded > limit { throw .tooLarge(limit: limit) }
        signature.feed(piece)
        do {
            try await ingestor.feed(piece)
        } catch {
            throw .ingest(error)
        }
    }

    /// Sends the stored batch on through the clearance flow and records what it did; a failure
    /// here leaves the batch stored (and completed) with the reason, for ops to forward again.
    private func forward(_ summary: IngestSummary) async {
        guard let forwarder, let guid = summary.messageGuid else { return }
        do {
            let outcome = try await forwarder.forward(messageGuid: guid)
            var text = outcome.summary
            if !outcome.issues.isEmpty {
                text += ": " + outcome.issues.prefix(20).map(\.description).joined(separator: "; ")
                if outcome.issues.count > 20 { text += "; … \(outcome.issues.count - 20) more" }
            }
            batch.routing = text
        } catch {
            batch.routing = "not forwarded: \(error)"
        }
        try? await save(summary)
    }

    /// A batch whose signature the gate refuses is kept (as received) but goes nowhere: every
    /// declaration in it is refused with the signature's reason.
    private func refuse(_ summary: IngestSummary, _ refusal: CrossMessageIssue) async {
        batch.routing = "refused: \(refusal)"
        if let guid = summary.messageGuid { try? await forwarder?.refuse(messageGuid: guid, refusal) }
        try? await save(summary)
    }

    private func save(_ summary: IngestSummary? = nil) async throws(StoreError) {
        let s = summary ?? ingestor.summary
        batch.bytes = decoded
        batch.documents = s.documents
        batch.invalidDocuments = s.invalidDocuments
        batch.declarationsInserted = s.declarationsInserted
        batch.declarationsSkipped = s.declarationsSkipped
        batch.receiptsInserted = s.receiptsInserted
        batch.errorCount = collector.errors
        batch.warningCount = collector.warnings
        batch.messageGuid = s.messageGuid ?? batch.messageGuid
        batch.messageType = s.messageType ?? batch.messageType
        batch.updatedAt = Date()
        try await store.addBatchErrors(collector.drain())
        try await store.saveBatch(batch)
        savedAt = decoded
        lastSave = ContinuousClock.now
    }
}
