import ClearanceStore

/// What a part or an excerpt of a stored message is built around: where its pieces begin, its
/// root's `guid` value, where its documents begin and end, and its sender's `ds:Signature`s.
///
/// Learned in one pass over the message (``MessageSplitter/scan(spec:pieces:read:)``). A batch
/// whose inventories wait for their documents keeps it in the store with the waiting documents'
/// byte ranges (``ClearanceStore/ClearanceFlowStore/saveDocumentRanges(messageGuid:frame:documents:)``),
/// so that releasing one of them reads the head, that document and the tail — a few pieces —
/// instead of decoding the whole batch again (a release of one inventory of a 6.7 MB batch took
/// 23 ms that way, and a batch of 100,000 inventories about a second per release).
///
/// Kept as text: `f1 total=N guid=A.B docs=A.B sig=A.B… bases=0,B1,B2…`.
struct MessageFrame: Sendable, Equatable {
    /// Offset of each stored piece in the whole message, in order.
    var bases: [Int]
    /// The message's length.
    var total: Int
    /// The root's `guid` attribute value.
    var guid: Range<Int>
    /// From the first document's `<` to past the last one's `>`.
    var documents: Range<Int>
    /// The sender's signatures, all after the last document.
    var signatures: [Range<Int>]

    /// The frame of a scanned message.
    /// - Throws: when its documents cannot be cut out whole: no guid, another root child between
    ///   documents, a signature before the last document, or no document at all.
    init(bases: [Int], total: Int, scanner: DocumentBoundaryScanner) throws(MessageSplitError) {
        guard let first = scanner.documents.first, let last = scanner.documents.last else { throw MessageSplitError("the message holds no document") }
        guard let guid = scanner.guidValue else { throw MessageSplitError("the root has no guid attribute") }
        guard !scanner.interleaved else {
            throw MessageSplitError("another root child stands between the documents (the official order puts documents first)")
        }
        guard guid.upperBound <= first.lowerBound, scanner.signatures.allSatisfy({ $0.lowerBound >= last.upperBound }) else {
            throw MessageSplitError("a ds:Signature stands before the last document")
        }
        self.init(bases: bases, total: total, guid: guid, documents: first.lowerBound..<last.upperBound,
                  signatures: scanner.signatures.sorted { $0.lowerBound < $1.lowerBound })
    }

    init(bases: [Int], total: Int, guid: Range<Int>, documents: Range<Int>, signatures: [Range<Int>]) {
        self.bases = bases
        self.total = total
        self.guid = guid
        self.documents = documents
        self.signatures = signatures
    }

    var encoded: String {
        func range(_ r: Range<Int>) -> String { "\(r.lowerBound).\(r.upperBound)" }
        return "f1 total=\(total) guid=\(range(guid)) docs=\(range(documents))"
            + signatures.map { " sig=" + range($0) }.joined()
            + " bases=" + bases.map(String.init).joined(separator: ",")
    }

    /// Reads a frame written by ``encoded``.
    init(decoding text: String) throws(MessageSplitError) {
        let bad = MessageSplitError("the stored message frame is unreadable: \(text.prefix(80))")
        func range(_ field: Substring) throws(MessageSplitError) -> Range<Int> {
            let numbers = field.split(separator: ".").compactMap { Int($0) }
            guard numbers.count == 2, 0 <= numbers[0], numbers[0] <= numbers[1] else { throw bad }
            return numbers[0]..<numbers[1]
        }
        let fields = text.split(separator: " ")
        guard fields.first == "f1" else { throw bad }
        var total: Int?, guid: Range<Int>?, documents: Range<Int>?, signatures: [Range<Int>] = [], bases: [Int] = []
        for field in fields.dropFirst() {
            guard let equals = field.firstIndex(of: "=") else { throw bad }
            let value = field[field.index(after: equals)...]
            switch field[..<equals] {
            case "total": total = Int(value)
            case "guid": guid = try range(value)
            case "docs": documents = try range(value)
            case "sig": signatures.append(try range(value))
            case "bases":
                bases = value.split(separator: ",").compactMap { Int($0) }
                guard bases.count == value.split(separator: ",").count else { throw bad }
            default: throw bad
            }
        }
        guard let total, let guid, let documents, bases.first == 0, documents.upperBound <= total else { throw bad }
        self.init(bases: bases, total: total, guid: guid, documents: documents, signatures: signatures)
    }

    /// `range` of the whole message as a segment of the piece it starts in.
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

    /// After the last document, without the sender's signatures (they cover the whole message and
    /// would not verify on a part).
    private var tailWithoutSignatures: [Range<Int>] {
        var tail: [Range<Int>] = []
        var cursor = documents.upperBound
        for signature in signatures {
            tail.append(cursor..<signature.lowerBound)
            cursor = signature.upperBound
        }
        tail.append(cursor..<total)
        return tail
    }

    /// Parts of at most `maxDocuments` of `chosen` (documents by 0-based index in the message, in
    /// order) each: the head with the part's own guid, the documents, the tail without signatures.
    func parts(_ chosen: [(index: Int, range: Range<Int>)], maxDocuments: Int) -> [OutboxPart] {
        guard !chosen.isEmpty else { return [] }
        let tail = tailWithoutSignatures.flatMap(raw)
        let count = (chosen.count + maxDocuments - 1) / maxDocuments
        var parts: [OutboxPart] = []
        for number in 1...count {
            let first = (number - 1) * maxDocuments
            let last = min(first + maxDocuments, chosen.count) - 1
            var segments = raw(0..<guid.lowerBound) + [.guid] + raw(guid.upperBound..<documents.lowerBound)
            // Contiguous documents are one range; a document held back between them splits it.
            var run = chosen[first].range
            for k in (first + 1)..<(last + 1) {
                if chosen[k].index == chosen[k - 1].index + 1 {
                    run = run.lowerBound..<chosen[k].range.upperBound
                } else {
                    segments += raw(run)
                    run = chosen[k].range
                }
            }
            segments += raw(run) + tail
            let plan = MessagePartPlan(segments: segments, firstDocument: first, documents: last - first + 1, senderSigned: !signatures.isEmpty)
            parts.append(OutboxPart(number: number, count: count, plan: plan.encoded))
        }
        return parts
    }

    /// The message cut down to `ranges` (documents, in order): the head as stored (guid included),
    /// those documents and the whole tail. It reads as the message would with only those
    /// documents, for checking them again without the rest of the batch.
    func excerpt(_ ranges: [Range<Int>]) -> [MessagePartPlan.Segment] {
        raw(0..<documents.lowerBound) + ranges.flatMap(raw) + raw(documents.upperBound..<total)
    }
}
