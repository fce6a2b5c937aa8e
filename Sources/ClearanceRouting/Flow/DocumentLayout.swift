/// Where the documents of a stored message lie, by 0-based index, and the frame around them (nil
/// when they cannot be cut out whole: parts are then planned by a scan that says why). Learned in
/// one pass over the batch when some of its inventories wait (``BatchForwarder``), to re-pack the
/// documents that go without a second pass and to keep the waiting ones' ranges.
struct DocumentLayout: Sendable {
    var frame: MessageFrame?
    /// The ranges of documents `first`, `first + 1`, …
    var documents: [Range<Int>]
    var first = 0

    /// The range of document `index`, if known (a document is never empty: an empty range is unknown).
    func range(_ index: Int) -> Range<Int>? {
        documents.indices.contains(index - first) && !documents[index - first].isEmpty ? documents[index - first] : nil
    }
}
