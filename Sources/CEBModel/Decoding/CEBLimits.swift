import XMLStreaming

/// Bounds on what one message may make the decoder hold. Memory is bounded by the
/// largest single document, never by the size of the message or file.
public struct CEBLimits: Sendable, Equatable {
    /// Limits of the XML layer.
    public var xml: XMLLimits
    /// Most bytes of field text one document may carry.
    public var maxDocumentBytes: Int
    /// Most lines one document may carry when it is held whole (a CEB607 manifest has thousands).
    public var maxLinesPerDocument: Int
    /// Message types whose documents stream in parts to a sink that accepts them
    /// (``CEBDocumentSink/acceptsDocumentParts``): the CEB607 consolidated waybill, one master bill
    /// of any number of parcels. Other documents are held whole: their lines must agree with
    /// each other (sums, totals), and customs caps them far lower anyway.
    public var streamedMessageTypes: Set<String>
    /// Lines per part of a streamed document: what the decoder holds of it at once (with its
    /// head), so ``maxDocumentBytes`` bounds one part's field text rather than the whole document's.
    public var linesPerPart: Int
    /// Most lines one streamed document may carry. Memory does not grow with it (parts are
    /// bounded); it bounds the store work one hostile document can cause. Ten times the whole-document
    /// bound: a master bill beyond it is split over several messages (msgCount / msgSeqNo).
    public var maxStreamedLines: Int
    /// Most unexpected elements reported per document, and per message outside its documents;
    /// beyond it one `LIM002` says the rest were skipped unreported. Each is skipped either way,
    /// but a hostile message of millions of stray elements must not make millions of issues
    /// (25 million `<a/>` made 5.9 GB of them).
    public var maxUnexpectedElements: Int

    /// Creates limits.
    public init(xml: XMLLimits = .standard, maxDocumentBytes: Int = 16 << 20, maxLinesPerDocument: Int = 100_000,
                streamedMessageTypes: Set<String> = ["CEB607"], linesPerPart: Int = 4096, maxStreamedLines: Int = 1_000_000,
                maxUnexpectedElements: Int = 100) {
        self.xml = xml
        self.maxDocumentBytes = maxDocumentBytes
        self.maxLinesPerDocument = maxLinesPerDocument
        self.streamedMessageTypes = streamedMessageTypes
        self.linesPerPart = max(1, linesPerPart)
        self.maxStreamedLines = maxStreamedLines
        self.maxUnexpectedElements = max(1, maxUnexpectedElements)
    }

    /// The defaults.
    public static let standard = CEBLimits()
}
