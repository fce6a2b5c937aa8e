/// What a release reads before it decodes anything (``ClearanceFlowStore/documentRanges(messageGuid:status:among:)``):
/// which of the inventories it names still wait in the stored message, where each lies in it, the
/// frame the ranges are cut from, and the message's row id (for the advance that follows).
public struct KeptDocuments: Sendable {
    /// The frame kept for the message (nil: none kept, or none of the named documents found).
    public var frame: String?
    /// The named documents found in the status asked, each with its kept range (nil: none kept).
    public var documents: [String: DocumentRange?]
    /// The message's row id (nil when none of the named documents was found).
    public var messageId: Int64?
}
