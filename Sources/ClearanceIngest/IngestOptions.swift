import CEBModel
import ClearanceRules
import ClearanceStore
import Foundation

/// How a ``BatchIngestor`` validates, chunks and stores.
public struct IngestOptions: Sendable {
    /// Validation, exactly as `clearance validate` applies it.
    public var validation: ValidationOptions
    /// Declarations per chunk transaction.
    public var chunkSize: Int
    /// Chunk transactions written at once while the next chunk fills. Two keep both cores busy: one
    /// chunk's rows are prepared, encoded and sent while the other's are inserted and indexed (on a
    /// 2-core machine, 100,000 inventories into PostgreSQL: 6.6–6.8 s with one, 5.3–5.5 s with two).
    /// Each one more holds one more chunk in memory. SQLite writes them one after the other, but
    /// still prepares the next chunk while one is written.
    public var chunksInFlight = 2
    /// Raw bytes per stored message part.
    public var partSize: Int
    /// Lines a chunk may collect before it is committed: a CEB607 consolidated waybill streamed in
    /// parts fills chunks by lines, so a master bill of any size is written a bounded chunk at a time.
    public var maxChunkLines = 4_096
    /// Raw bytes a chunk may collect before it is committed even with fewer than ``chunkSize``
    /// declarations (a huge manifest is one document): bounds memory for any input.
    public var maxChunkBytes: Int
    /// The sender (`BaseTransfer/copCode`). `BaseTransfer` comes *after* the documents, so a
    /// stream whose sender is unknown must hold its chunks until the end: pass the sender (an
    /// HTTP upload knows its authenticated sender; ``BatchIngestor/ingest(path:store:options:observer:)``
    /// reads it from the end of a file). It is checked against `BaseTransfer/copCode` at the end.
    public var senderCode: String?
    /// Inbound (received) or outbound.
    public var direction: MessageDirection
    /// Recorded with the message (signature checks are not part of ingest).
    public var signatureVerdict: String
    /// When the message was received.
    public var receivedAt: Date
    /// Whether receipts in the message are stored. An upload by an enterprise is not a channel
    /// receipts may arrive by (only an authority's account is): there each receipt is an error
    /// (`RCP001`) and moves nothing.
    public var acceptsReceipts: Bool = true
    /// Where XML parsing runs: inline (the default, right for request bodies and small messages:
    /// documents are handled before `feed` returns), or on a thread of its own for large files,
    /// so one core parses while the other checks, maps and writes (`clearance ingest` does this).
    public var threading: CEBDecoder.Threading = .inline

    /// Creates options; sizes are clamped to at least 1 (and `maxChunkBytes` to at least `partSize`).
    public init(
        validation: ValidationOptions = ValidationOptions(), chunkSize: Int = 2_000, partSize: Int = 1 << 20,
        maxChunkBytes: Int = 16 << 20, senderCode: String? = nil, direction: MessageDirection = .inbound,
        signatureVerdict: String = "unchecked", receivedAt: Date = .now
    ) {
        self.validation = validation
        self.chunkSize = max(1, chunkSize)
        self.partSize = max(1, partSize)
        self.maxChunkBytes = max(self.partSize, maxChunkBytes)
        self.senderCode = senderCode
        self.direction = direction
        self.signatureVerdict = signatureVerdict
        self.receivedAt = receivedAt
    }
}

/// What an ingest did so far (running totals, final after ``BatchIngestor/finish()``).
public struct IngestSummary: Sendable, Hashable {
    /// Envelope guid of the message.
    public var messageGuid: String?
    /// Message type, e.g. `CEB621`.
    public var messageType: String?
    /// Bytes read.
    public var bytes = 0
    /// Documents validated.
    public var documents = 0
    /// Documents with errors: reported, not stored.
    public var invalidDocuments = 0
    /// Valid documents that are neither declarations nor receipts (kept in the raw message only).
    public var otherDocuments = 0
    /// Error issues (documents and message).
    public var errors = 0
    /// Warning issues.
    public var warnings = 0
    /// Declarations newly stored.
    public var declarationsInserted = 0
    /// Valid declarations already stored (a re-run, or the same declaration sent again).
    public var declarationsSkipped = 0
    /// Goods lines newly stored.
    public var linesInserted = 0
    /// Goods lines already stored.
    public var linesSkipped = 0
    /// Receipts newly stored.
    public var receiptsInserted = 0
    /// Receipts already stored.
    public var receiptsSkipped = 0
    /// Committed chunk transactions.
    public var chunksCommitted = 0
    /// CEB607 consolidated waybills linked to the export inventories they name (summed over the
    /// message's manifests): parcels linked, and lines naming inventories not stored, with examples.
    public var manifestLinks = ManifestLinkReport()
    /// Streamed declarations (consolidated waybills in parts) removed again because a later part had an error.
    public var declarationsWithdrawn = 0
    /// How the message row was found at the start (new, resumed after a crash, or already complete).
    public var start: StreamedMessageStart.State?
    /// The stored message's outcome once finished.
    public var messageStatus: MessageOutcome.Status?
    /// SHA-256 of the bytes read, once finished.
    public var sha256: String?

    /// An empty summary.
    public init() {}

    /// Valid documents.
    public var validDocuments: Int { documents - invalidDocuments }
}

/// Hears what an ingest does, on the task that drives it.
public protocol IngestObserver: AnyObject {
    /// A document was validated (its issues, as `clearance validate` reports them; a document with
    /// errors is not stored).
    func documentValidated(_ context: DocumentContext)
    /// The message closed, with its message-level issues.
    func messageFinished(_ envelope: MessageEnvelope)
    /// A chunk transaction committed.
    func chunkCommitted(_ summary: IngestSummary)
}

extension IngestObserver {
    public func documentValidated(_ context: DocumentContext) {}
    public func messageFinished(_ envelope: MessageEnvelope) {}
    public func chunkCommitted(_ summary: IngestSummary) {}
}
