import Foundation

/// Persistent storage for Clearance: raw messages, declarations and their lines, receipts,
/// the append-only shipment event timeline, and the routing outbox.
///
/// Implementations run every blocking database call on their own threads (never on the Swift
/// concurrency pool) and expose async methods. All writes are idempotent: re-running the same
/// ingest, receipt or event (with a dedup key) changes nothing and returns the same ids.
///
/// Open one with ``openStore(url:options:)``.
public protocol Store: Sendable {
    /// The engine behind this store.
    var engine: StoreEngine { get }

    /// Applies pending schema migrations (each in its own transaction, recorded in
    /// `schema_migrations`). Safe to call any number of times and from several processes.
    /// Returns the versions applied by this call (empty when up to date).
    @discardableResult
    func migrate() async throws(StoreError) -> [Int]

    /// Stores messages and their declarations (with lines) in **one transaction**.
    ///
    /// Messages already stored (same guid) and declarations already stored (same kind, sender and
    /// ``DeclarationRecord/dedupKey``) are skipped; lines already stored (same gnum) are skipped.
    /// A `received` event is appended for every newly stored message. Use
    /// ``Store/ingest(_:chunkSize:progress:)`` for large inputs.
    func ingest(_ items: [IngestItem]) async throws(StoreError) -> IngestReport

    /// Begins storing a message whose raw bytes stream in parts (batches too large for memory).
    ///
    /// Creates the message row marked incomplete (with a `received` event), or finds the row a
    /// killed ingest left incomplete (``StreamedMessageStart/State/resumed``), or reports that the
    /// message is already complete. Follow with ``ingestStreamedChunk(_:)`` calls and
    /// ``finishStreamedMessage(guid:sha256:size:partCount:)``.
    func beginStreamedMessage(_ message: StreamedMessage) async throws(StoreError) -> StreamedMessageStart

    /// Stores one chunk of a streamed message in **one transaction**: its raw parts (a part
    /// already stored under the same number is replaced, so a resumed ingest rewrites rather than
    /// duplicates) and its declarations with lines (skipped when already stored, as in
    /// ``ingest(_:)``). Crash safety: a killed process leaves whole chunks only.
    func ingestStreamedChunk(_ chunk: StreamedChunk) async throws(StoreError) -> IngestReport

    /// Completes a streamed message: checks that parts `0..<partCount` are all stored (dropping any
    /// beyond, left by an earlier longer copy), records its SHA-256 and size, and marks it complete.
    /// For a message already complete, compares digests: ``MessageOutcome/Status/duplicate`` or
    /// ``MessageOutcome/Status/guidConflict``.
    func finishStreamedMessage(guid: String, sha256: String, size: Int64, partCount: Int) async throws(StoreError) -> MessageOutcome

    /// Links a stored CEB607 consolidated waybill (清单总分单; identified by `declaration`'s kind, the
    /// sender and its ``DeclarationRecord/dedupKey``; its lines are read from the store, not from the
    /// record) to the export inventories its lines name by invtNo (their own or the one customs gave
    /// them): each such inventory gets a `consolidated` event naming the master bill and the parcel,
    /// and the manifest a `manifest-linked` event with the counts. Lines naming inventories that are
    /// not stored are counted, with a few examples: not an error. Works through the lines in windows
    /// of ``SQLStore/manifestLinkWindow``, one transaction each, so neither side holds them all;
    /// idempotent (a re-run adds only what is new). An unknown manifest gives an empty report.
    func linkManifest(senderCode: String, declaration: DeclarationRecord) async throws(StoreError) -> ManifestLinkReport

    /// Removes a declaration (with its lines and events) that a streamed message began storing
    /// before a later part of it turned out invalid: only when the stored row came from that
    /// message (``DeclarationRecord/messageGuid``), so an earlier valid copy is never touched.
    /// Returns whether a row was removed.
    @discardableResult
    func withdrawStreamedDeclaration(senderCode: String, declaration: DeclarationRecord) async throws(StoreError) -> Bool

    /// Stores receipts in one transaction, links each to its declaration, sets that
    /// declaration's status to the `returnStatus`, and appends a `receipt` event. Duplicates are skipped.
    func storeReceipts(_ receipts: [ReceiptRecord]) async throws(StoreError) -> [ReceiptOutcome]

    /// The stored message with this envelope guid, raw bytes included (for routing and audit;
    /// a streamed message's parts are joined), or `nil` when none is stored. Throws
    /// ``StoreError/notFound(_:)`` for a streamed message whose ingest has not completed.
    func message(guid: String) async throws(StoreError) -> MessageRecord?

    /// The stored messages among `guids` of at most `maxBytes` each, read in one statement (the
    /// delivery worker's round, instead of a read per delivery); larger, incomplete and unknown
    /// ones are left out (read them with ``message(guid:)``).
    func messages(guids: [String], maxBytes: Int) async throws(StoreError) -> [String: MessageRecord]

    /// A stored message's facts without its raw bytes, and how many raw pieces it is kept in
    /// (read them one at a time with ``rawPiece(guid:index:)``): a view of a message of hundreds
    /// of megabytes holds one piece at a time. Nil when there is no such message.
    func messageHeader(guid: String) async throws(StoreError) -> (record: MessageRecord, pieces: Int)?

    /// Piece `index` (0-based, < the header's `pieces`) of a stored message's raw bytes, in order.
    func rawPiece(guid: String, index: Int) async throws(StoreError) -> [UInt8]

    /// Appends an event to the timeline and returns its id (the existing id when ``Event/dedupKey``
    /// was already used).
    @discardableResult
    func appendEvent(_ event: Event) async throws(StoreError) -> Int64

    /// The timeline of the shipment a key belongs to, or `nil` when nothing matches.
    func trace(_ key: TraceKey) async throws(StoreError) -> ShipmentTimeline?

    /// Counts of messages, declarations, receipts, events and outbox rows.
    func stats() async throws(StoreError) -> StoreStats

    /// Queues a stored message for delivery to `destination`. Idempotent per (message, destination):
    /// returns the existing entry when already queued.
    @discardableResult
    func enqueueOutbox(messageGuid: String, destination: String, notBefore: Date) async throws(StoreError) -> OutboxEntry

    /// Atomically claims up to `limit` due entries (pending, or in flight with an expired lease),
    /// marking them in flight with a lease of `lease` seconds and counting an attempt. Concurrent
    /// claimers never receive the same entry.
    func claimOutbox(limit: Int, lease: TimeInterval, now: Date) async throws(StoreError) -> [OutboxEntry]

    /// Marks claimed entries delivered, all in one transaction (a delivery round's successes share
    /// one commit instead of one each: the commit's log flush was the round's cost). Returns the
    /// entries that were no longer in flight and are not delivered (another worker's lease took
    /// them over and failed them, or ops acted), with their status; those are left as they are.
    /// Throws ``StoreError/notFound(_:)`` for an id that does not exist.
    /// - Parameter messageIds: the entries' messages (every one of them), or none: on PostgreSQL,
    ///   where the outbox is partitioned by message, the update then reads those partitions only.
    func completeOutbox(ids: [Int64], messageIds: [Int64], now: Date) async throws(StoreError) -> [Int64: OutboxStatus]

    /// Records a failed attempt: back to pending until `retryAt`, or `dead` when `retryAt` is nil.
    /// - Parameter messageId: the entry's message, if known: on PostgreSQL the update then reads
    ///   that message's outbox partition only.
    @discardableResult
    func failOutbox(id: Int64, messageId: Int64?, error: String, retryAt: Date?, now: Date) async throws(StoreError) -> OutboxEntry

    /// Closes connections and stops the engine threads. Further calls throw ``StoreError/closed``.
    func close() async
}

extension Store {
    /// Records a failed attempt of an entry found by id alone (see ``failOutbox(id:messageId:error:retryAt:now:)``).
    @discardableResult
    public func failOutbox(id: Int64, error: String, retryAt: Date?, now: Date) async throws(StoreError) -> OutboxEntry {
        try await failOutbox(id: id, messageId: nil, error: error, retryAt: retryAt, now: now)
    }

    /// Marks claimed entries delivered, found by id alone (see ``completeOutbox(ids:messageIds:now:)``).
    public func completeOutbox(ids: [Int64], now: Date) async throws(StoreError) -> [Int64: OutboxStatus] {
        try await completeOutbox(ids: ids, messageIds: [], now: now)
    }

    /// Marks one claimed entry delivered; completing it again is a no-op. Throws
    /// ``StoreError/invalidInput(_:)`` when it is neither in flight nor delivered.
    public func completeOutbox(id: Int64, now: Date) async throws(StoreError) {
        if let status = try await completeOutbox(ids: [id], now: now)[id] {
            throw .invalidInput("outbox entry \(id) is \(status.rawValue), not in flight")
        }
    }

    /// Ingests a large input as consecutive chunk transactions of `chunkSize` items.
    ///
    /// Crash safety: every chunk commits atomically, so a process killed at any moment leaves only
    /// whole chunks; running the same input again skips what is stored and completes the rest,
    /// with no duplicates and no losses.
    ///
    /// - Parameter progress: called after each committed chunk with the running report.
    public func ingest(
        _ items: some Sequence<IngestItem>, chunkSize: Int,
        progress: (@Sendable (IngestReport) -> Void)? = nil
    ) async throws(StoreError) -> IngestReport {
        guard chunkSize > 0 else { throw .invalidInput("chunkSize must be positive") }
        var total = IngestReport()
        var chunk: [IngestItem] = []
        chunk.reserveCapacity(chunkSize)
        for item in items {
            chunk.append(item)
            if chunk.count == chunkSize {
                total.append(try await ingest(chunk))
                chunk.removeAll(keepingCapacity: true)
                progress?(total)
            }
        }
        if !chunk.isEmpty {
            total.append(try await ingest(chunk))
            progress?(total)
        }
        return total
    }
}
