import Foundation

/// One message with the declarations it carries: the unit of ingest.
public struct IngestItem: Sendable, Hashable {
    public var message: MessageRecord
    /// Declarations carried by ``message``; each one's `messageGuid` must equal `message.guid`.
    public var declarations: [DeclarationRecord]

    public init(message: MessageRecord, declarations: [DeclarationRecord] = []) {
        self.message = message
        self.declarations = declarations
    }
}

/// What happened to one message in an ingest.
public struct MessageOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Newly stored.
        case stored
        /// Already stored with the same bytes: nothing changed.
        case duplicate
        /// Already stored under this guid with *different* bytes: the first copy is kept.
        case guidConflict
    }
    public var guid: String
    /// Row id in `messages`; identical for every copy of the same message.
    public var messageId: Int64
    /// SHA-256 of the stored (first) copy.
    public var storedSHA256: String
    public var status: Status
}

/// Declarations and lines one chunk inserted for one message.
struct InsertedRows: Sendable, Hashable {
    var declarations = 0
    var lines = 0
}

/// Result of an ingest (one or more chunk transactions).
public struct IngestReport: Sendable, Hashable {
    /// One entry per message in input order.
    public var messages: [MessageOutcome] = []
    public var declarationsInserted = 0
    public var declarationsSkipped = 0
    public var linesInserted = 0
    public var linesSkipped = 0
    /// Number of committed chunk transactions.
    public var chunksCommitted = 0
    /// Declarations and lines inserted per message id, when the writer knows them from its own
    /// inserts (row inserts do; `COPY` chunks do not): group commit splits its report with them.
    var insertedByMessage: [Int64: InsertedRows]?

    public init() {}

    /// Merges a later chunk's report into this one.
    public mutating func append(_ other: IngestReport) {
        messages += other.messages
        declarationsInserted += other.declarationsInserted
        declarationsSkipped += other.declarationsSkipped
        linesInserted += other.linesInserted
        linesSkipped += other.linesSkipped
        chunksCommitted += other.chunksCommitted
        insertedByMessage = nil
    }
}
