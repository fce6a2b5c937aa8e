import XMLStreaming

/// One document's raw values as the collecting half of the decoder read them: its field
/// text and slots, and the structural issues found while reading. Checked and typed by
/// ``DocumentChecker``, possibly on another thread.
struct CollectedDocument: Sendable {
    /// Index of the message type in ``MessageCatalog/all``.
    var message: Int
    /// 0-based index in the message.
    var index: Int
    /// Where the document's start tag ends.
    var position: XMLPosition
    /// Issues found while reading (unexpected elements, size limits).
    var issues: [ValidationIssue]
    /// Field text, UTF-8.
    var text: [UInt8]
    /// Head field slots.
    var headSlots: [FieldSlot]
    /// Line field slots, `lineWidth` per line.
    var lineSlots: [FieldSlot]
    /// Fields per line.
    var lineWidth: Int
    /// Number of lines in this part (all of them for a document held whole).
    var lineCount: Int
    /// Lines handed over in earlier parts of the same document.
    var firstLine = 0
    /// More parts of the document follow.
    var continues = false
}
