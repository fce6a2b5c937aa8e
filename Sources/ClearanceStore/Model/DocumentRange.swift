/// Where one document of a stored message lies: its 0-based place among the message's documents
/// and its bytes `start..<end` in the whole raw message.
///
/// Kept for the inventories of a batch that wait for their documents
/// (``ClearanceFlowStore/saveDocumentRanges(messageGuid:frame:documents:)``), so that releasing one
/// reads that document and the message's head and tail, not the whole batch.
public struct DocumentRange: Sendable, Hashable {
    public var index: Int
    public var start: Int
    public var end: Int

    public init(index: Int, start: Int, end: Int) {
        self.index = index
        self.start = start
        self.end = end
    }
}
