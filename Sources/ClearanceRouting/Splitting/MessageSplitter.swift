import CEBModel
import ClearanceStore
import XMLStreaming

/// Plans a message with more documents than customs takes in one (``CEBModel/CustomsLimits/maxDocuments``)
/// as several parts of at most that many documents, in document order (``MessagePartPlan``).
///
/// The stored message is read one piece at a time (1 MiB for a streamed batch) through the parser,
/// which tells where each document begins and ends (``DocumentBoundaryScanner``); nothing of the
/// message is kept but those offsets (two integers per document) and the last piece or two. A
/// batch of 100,000 inventories is planned in one pass with memory of a few MB; each part is built
/// later, at delivery, from the pieces its ranges name.
enum MessageSplitter {
    /// The parts of the message `guid` of `spec`, stored in `pieces` pieces read by `read`, with at
    /// most `maxDocuments` documents each; empty when it has no more than that. With `include`,
    /// only those documents (0-based, in message order) are packed — a batch's documents that may
    /// go, re-packed without the ones held back — and parts are planned whatever their number.
    static func plan(
        spec: MessageSpec, maxDocuments: Int, include: Set<Int>? = nil, pieces: Int, read: (Int) async throws(StoreError) -> [UInt8]
    ) async throws(MessageSplitError) -> [OutboxPart] {
        guard maxDocuments > 0 else { throw MessageSplitError("no document limit to split by") }
        return try plan(try await scan(spec: spec, pieces: pieces, read: read), maxDocuments: maxDocuments, include: include)
    }

    /// ``plan(spec:maxDocuments:include:pieces:read:)`` from a scan already made (a forwarder's
    /// ``DocumentRangeScan`` fed in its decoding pass).
    static func plan(
        _ scan: (documents: [Range<Int>], frame: Result<MessageFrame, MessageSplitError>), maxDocuments: Int, include: Set<Int>? = nil
    ) throws(MessageSplitError) -> [OutboxPart] {
        guard maxDocuments > 0 else { throw MessageSplitError("no document limit to split by") }
        let chosen = scan.documents.indices.filter { include?.contains($0) ?? true }.map { (index: $0, range: scan.documents[$0]) }
        guard include != nil || chosen.count > maxDocuments, !chosen.isEmpty else { return [] }
        return try scan.frame.get().parts(chosen, maxDocuments: maxDocuments)
    }

    /// One pass over the message: every document's range, and the frame parts are built around
    /// (or why they cannot be).
    static func scan(
        spec: MessageSpec, pieces: Int, read: (Int) async throws(StoreError) -> [UInt8]
    ) async throws(MessageSplitError) -> (documents: [Range<Int>], frame: Result<MessageFrame, MessageSplitError>) {
        let scan = DocumentRangeScan(spec: spec)
        for index in 0..<pieces {
            let piece: [UInt8]
            do {
                piece = try await read(index)
            } catch {
                throw MessageSplitError("cannot read piece \(index) of the stored message: \(error)")
            }
            scan.feed(piece, last: index == pieces - 1)
            if let failure = scan.failure { throw failure }
        }
        return try scan.result()
    }
}

extension MessageSplitter {
    /// Plans the parts of the stored message `guid`, read from `store` one piece at a time.
    static func plan(storedMessage guid: String, in store: any Store, spec: MessageSpec, maxDocuments: Int,
                     include: Set<Int>? = nil) async throws(MessageSplitError) -> [OutboxPart] {
        let pieces = try await pieces(of: guid, in: store)
        return try await plan(spec: spec, maxDocuments: maxDocuments, include: include, pieces: pieces) { (index) throws(StoreError) in
            try await store.rawPiece(guid: guid, index: index)
        }
    }

    /// ``scan(spec:pieces:read:)`` of the stored message `guid`.
    static func scan(storedMessage guid: String, in store: any Store, spec: MessageSpec)
        async throws(MessageSplitError) -> (documents: [Range<Int>], frame: Result<MessageFrame, MessageSplitError>) {
        let pieces = try await pieces(of: guid, in: store)
        return try await scan(spec: spec, pieces: pieces) { (index) throws(StoreError) in try await store.rawPiece(guid: guid, index: index) }
    }

    private static func pieces(of guid: String, in store: any Store) async throws(MessageSplitError) -> Int {
        let header: (record: MessageRecord, pieces: Int)?
        do {
            header = try await store.messageHeader(guid: guid)
        } catch {
            throw MessageSplitError("cannot read message \(guid): \(error)")
        }
        guard let header else { throw MessageSplitError("message \(guid) is not stored") }
        return header.pieces
    }
}
