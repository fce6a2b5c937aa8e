/// How much one message may carry for customs to accept it, as the official schema bounds it
/// (a CEB621 message: at most 100 inventories of at most 99 lines).
///
/// These are limits of what is *sent to customs*, not of what Clearance reads: merchants may hand
/// Clearance larger batches, which the routing layer splits (or refuses) before sending. The decoder
/// never reports them.
public struct CustomsLimits: Sendable, Equatable {
    /// Most documents in one message; nil when unbounded.
    public let maxDocuments: Int?
    /// Most lines in one document; nil when unbounded or the document has no lines.
    public let maxLinesPerDocument: Int?
    /// Most `BaseSubscribe` blocks (0 when the message has none).
    public let maxSubscriptions: Int

    /// Creates limits.
    public init(maxDocuments: Int?, maxLinesPerDocument: Int?, maxSubscriptions: Int) {
        self.maxDocuments = maxDocuments
        self.maxLinesPerDocument = maxLinesPerDocument
        self.maxSubscriptions = maxSubscriptions
    }

    /// No limit (Clearance-defined messages).
    public static let none = CustomsLimits(maxDocuments: nil, maxLinesPerDocument: nil, maxSubscriptions: 0)

    /// Whether a message of `documents` documents whose longest has `lines` lines is within the limits.
    public func accepts(documents: Int, longestDocumentLines lines: Int) -> Bool {
        documents <= (maxDocuments ?? .max) && lines <= (maxLinesPerDocument ?? .max)
    }
}
