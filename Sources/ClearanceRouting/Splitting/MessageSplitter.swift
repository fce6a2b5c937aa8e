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
        let scanner = DocumentBoundaryScanner(documentElement: spec.document.element)
        let parser = XMLPushParser(limits: CEBLimits.standard.xml, handler: scanner)
        scanner.offset = { [unowned parser] in parser.bytesConsumed }
        var bases: [Int] = []
        var total = 0
        for index in 0..<pieces {
            let piece: [UInt8]
            do {
                piece = try await read(index)
            } catch {
                throw MessageSplitError("cannot read piece \(index) of the stored message: \(error)")
            }
            bases.append(total)
            total += piece.count
            scanner.willFeed(piece)
            do throws(XMLStreamError) {
                try parser.feed(piece)
                if index == pieces - 1 { try parser.finish() }
            } catch {
                throw MessageSplitError("the stored message is not readable XML: \(error)")
            }
        }
        if let failure = scanner.failure { throw MessageSplitError("document boundaries not found: \(failure)") }
        let all = scanner.documents
        let chosen = include.map { set in all.indices.filter { set.contains($0) } } ?? Array(all.indices)
        let documents = chosen.map { all[$0] }
        guard include != nil || documents.count > maxDocuments else { return [] }
        guard !documents.isEmpty else { return [] }
        guard let guid = scanner.guidValue else { throw MessageSplitError("the root has no guid attribute") }
        guard !scanner.interleaved else {
            throw MessageSplitError("another root child stands between the documents (the official order puts documents first)")
        }
        let firstStart = all[0].lowerBound, lastEnd = all[all.count - 1].upperBound
        guard guid.upperBound <= firstStart, scanner.signatures.allSatisfy({ $0.lowerBound >= lastEnd }) else {
            throw MessageSplitError("a ds:Signature stands before the last document")
        }
        var tail: [Range<Int>] = []
        var cursor = lastEnd
        for signature in scanner.signatures.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            tail.append(cursor..<signature.lowerBound)
            cursor = signature.upperBound
        }
        tail.append(cursor..<total)

        func raw(_ range: Range<Int>) -> [MessagePartPlan.Segment] {
            guard !range.isEmpty else { return [] }
            // The last piece starting at or before the range (empty pieces share their base with the next).
            var low = 0, high = bases.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if bases[middle] <= range.lowerBound { low = middle } else { high = middle - 1 }
            }
            return [.raw(.init(piece: low, offset: range.lowerBound - bases[low], length: range.count))]
        }

        let count = (documents.count + maxDocuments - 1) / maxDocuments
        var parts: [OutboxPart] = []
        for number in 1...count {
            let first = (number - 1) * maxDocuments
            let last = min(first + maxDocuments, documents.count) - 1
            var segments = raw(0..<guid.lowerBound) + [.guid] + raw(guid.upperBound..<firstStart)
            // Contiguous documents are one range; a document held back between them splits it.
            var run = documents[first]
            for k in (first + 1)..<(last + 1) {
                if chosen[k] == chosen[k - 1] + 1 {
                    run = run.lowerBound..<documents[k].upperBound
                } else {
                    segments += raw(run)
                    run = documents[k]
                }
            }
            segments += raw(run)
            segments += tail.flatMap(raw)
            let plan = MessagePartPlan(
                segments: segments, firstDocument: first, documents: last - first + 1, senderSigned: !scanner.signatures.isEmpty)
            parts.append(OutboxPart(number: number, count: count, plan: plan.encoded))
        }
        return parts
    }
}

extension MessageSplitter {
    /// Plans the parts of the stored message `guid`, read from `store` one piece at a time.
    static func plan(storedMessage guid: String, in store: any Store, spec: MessageSpec, maxDocuments: Int,
                     include: Set<Int>? = nil) async throws(MessageSplitError) -> [OutboxPart] {
        let pieces: Int
        do {
            guard let header = try await store.messageHeader(guid: guid) else { throw MessageSplitError("message \(guid) is not stored") }
            pieces = header.pieces
        } catch let error as MessageSplitError {
            throw error
        } catch {
            throw MessageSplitError("cannot read message \(guid): \(error)")
        }
        return try await plan(spec: spec, maxDocuments: maxDocuments, include: include, pieces: pieces) { (index) throws(StoreError) in
            try await store.rawPiece(guid: guid, index: index)
        }
    }
}
