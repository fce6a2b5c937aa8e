/// How one part of a split message is built from the stored message: byte ranges of its raw pieces,
/// in order, with the part's own guid written where the original guid's value stood.
///
/// A part is the original's head (XML declaration, root start tag), its documents
/// `firstDocument..<firstDocument + documents`, and the original's tail (`BaseTransfer`,
/// `BaseSubscribe`, `ExtendMessage`, the root's end tag) without any `ds:Signature`: a sender's
/// signature covers the whole message and would not verify on a part. Bytes are copied as stored,
/// so namespace declarations, prefixes and the documents themselves are exactly the sender's.
///
/// Kept in the outbox row as text (``ClearanceStore/OutboxPart/plan``):
/// `v1 docs=FIRST+COUNT signed=0|1 r=PIECE.OFFSET.LENGTH g r=… …`.
struct MessagePartPlan: Sendable, Hashable {
    /// Bytes of the stored message: `length` bytes from `offset` in piece `piece`, continuing into
    /// the following pieces when the piece ends first.
    struct RawRange: Sendable, Hashable {
        var piece: Int
        var offset: Int
        var length: Int
    }

    enum Segment: Sendable, Hashable {
        case raw(RawRange)
        /// The part's guid (36 characters, ASCII).
        case guid
    }

    var segments: [Segment]
    /// 0-based index of the part's first document in the original message.
    var firstDocument: Int
    var documents: Int
    /// Whether the original carried a `ds:Signature` (its sender's), left out of the part: the part
    /// can go only signed afresh by Clearance.
    var senderSigned: Bool

    var encoded: String {
        var text = "v1 docs=\(firstDocument)+\(documents) signed=\(senderSigned ? 1 : 0)"
        for segment in segments {
            switch segment {
            case .raw(let range): text += " r=\(range.piece).\(range.offset).\(range.length)"
            case .guid: text += " g"
            }
        }
        return text
    }

    init(segments: [Segment], firstDocument: Int, documents: Int, senderSigned: Bool) {
        self.segments = segments
        self.firstDocument = firstDocument
        self.documents = documents
        self.senderSigned = senderSigned
    }

    /// Reads a plan written by ``encoded``.
    init(decoding text: String) throws(DeliveryError) {
        let bad = DeliveryError("the outbox row's part plan is unreadable: \(text.prefix(80))", permanent: true)
        let fields = text.split(separator: " ")
        guard fields.first == "v1", fields.count >= 3 else { throw bad }
        var first: Int?, count: Int?, signed: Bool?
        var segments: [Segment] = []
        for field in fields.dropFirst() {
            if field == "g" {
                segments.append(.guid)
            } else if field.hasPrefix("docs=") {
                let numbers = field.dropFirst(5).split(separator: "+").compactMap { Int($0) }
                guard numbers.count == 2 else { throw bad }
                (first, count) = (numbers[0], numbers[1])
            } else if field.hasPrefix("signed=") {
                signed = field.hasSuffix("=1")
            } else if field.hasPrefix("r=") {
                let numbers = field.dropFirst(2).split(separator: ".").compactMap { Int($0) }
                guard numbers.count == 3, numbers.allSatisfy({ $0 >= 0 }) else { throw bad }
                segments.append(.raw(RawRange(piece: numbers[0], offset: numbers[1], length: numbers[2])))
            } else {
                throw bad
            }
        }
        guard let first, let count, let signed, !segments.isEmpty else { throw bad }
        self.init(segments: segments, firstDocument: first, documents: count, senderSigned: signed)
    }
}
