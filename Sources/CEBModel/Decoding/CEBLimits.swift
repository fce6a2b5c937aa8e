import XMLStreaming

/// Bounds on what one message may make the decoder hold. Memory is bounded by the
/// largest single document, never by the size of the message or file.
public struct CEBLimits: Sendable, Equatable {
    /// Limits of the XML layer.
    public var xml: XMLLimits
    /// Most bytes of field text one document may carry.
    public var maxDocumentBytes: Int
    /// Most lines one document may carry (a CEB607 manifest has thousands).
    public var maxLinesPerDocument: Int

    /// Creates limits.
    public init(xml: XMLLimits = .standard, maxDocumentBytes: Int = 16 << 20, maxLinesPerDocument: Int = 100_000) {
        self.xml = xml
        self.maxDocumentBytes = maxDocumentBytes
        self.maxLinesPerDocument = maxLinesPerDocument
    }

    /// The defaults.
    public static let standard = CEBLimits()
}
