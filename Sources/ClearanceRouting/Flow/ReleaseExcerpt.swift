import ClearanceStore

/// The waiting inventories a release names, as the store kept them (``DocumentRange``): the batch's
/// frame and each document's range, in message order. The release decodes only these documents
/// between the batch's head and tail, and re-packs them from the ranges, without another pass over
/// the batch.
struct ReleaseExcerpt: Sendable {
    var frame: MessageFrame
    var documents: [(index: Int, range: Range<Int>)]

    /// nil unless a frame was kept and every one of `documents` has its range (a batch stored before
    /// ranges were kept, or whose save failed, is decoded whole).
    init?(frame: String?, documents: [String: DocumentRange?]) {
        guard let text = frame, let frame = try? MessageFrame(decoding: text), !documents.isEmpty else { return nil }
        var ranges: [(index: Int, range: Range<Int>)] = []
        for case let kept? in documents.values {
            guard kept.start <= kept.end, kept.end <= frame.total else { return nil }
            ranges.append((kept.index, kept.start..<kept.end))
        }
        guard ranges.count == documents.count else { return nil }
        self.frame = frame
        self.documents = ranges.sorted { $0.index < $1.index }
    }

    /// The layout re-packing reads: only these documents are known (spanning the first to the last
    /// of them, not the whole batch).
    var layout: DocumentLayout {
        let first = documents.first?.index ?? 0
        var known = [Range<Int>](repeating: 0..<0, count: (documents.last?.index ?? first - 1) - first + 1)
        for document in documents { known[document.index - first] = document.range }
        return DocumentLayout(frame: frame, documents: known, first: first)
    }
}
