import XMLStreaming

/// `ceb:BaseTransfer`: who sends the message over which exchange.
public struct BaseTransfer: Sendable, Hashable, Codable {
    /// The sending enterprise's code.
    public var copCode: String
    /// The sending enterprise's name.
    public var copName: String
    /// Exchange mode, `DXP`.
    public var dxpMode: String
    /// The sender's data-exchange id.
    public var dxpId: String
    /// Free note.
    public var note: String?
}

/// `ceb:BaseSubscribe`: a third party that asks for the receipts of this message.
public struct BaseSubscribe: Sendable, Hashable, Codable {
    /// Receipt statuses subscribed to.
    public var status: String
    /// Exchange mode.
    public var dxpMode: String
    /// Subscriber address.
    public var dxpAddress: String
    /// Free note.
    public var note: String?
}

/// What the decoder knows of a message when its root element opens.
public struct MessageHeader: Sendable {
    /// The message type, or nil when the root is not a known CEB message.
    public var spec: MessageSpec?
    /// The root element's local name.
    public var rootElement: String
    /// The root's `guid` attribute.
    public var guid: String?
    /// The root's `version` attribute.
    public var version: String?
    /// Where the root's start tag ends.
    public var position: XMLPosition
}

/// What the decoder knows of a message once its root element closes.
public struct MessageEnvelope: Sendable {
    /// The header.
    public var header: MessageHeader
    /// The sender block, when present.
    public var baseTransfer: BaseTransfer?
    /// Receipt subscriptions.
    public var subscriptions: [BaseSubscribe]
    /// Whether a `ds:Signature` element was present (verification is XMLSignature's job).
    public var hasSignature: Bool
    /// How many documents the message carried.
    public var documentCount: Int
    /// How many documents declared `appStatus` 2 (declared, so meant to be signed).
    public var declaredDocumentCount: Int
    /// Issues with the message as a whole (envelope, root, unexpected elements).
    public var issues: [ValidationIssue]
}

/// Where a document sits in its message, and what schema-level checks found in it.
public struct DocumentContext: Sendable {
    /// The message type.
    public var spec: MessageSpec
    /// 0-based index in the message.
    public var index: Int
    /// Where the document's start tag ends.
    public var position: XMLPosition
    /// Identifying key for reports, such as `orderNo=ORD123`, or nil.
    public var key: String?
    /// Schema-level issues (missing, malformed, unexpected fields).
    public var issues: [ValidationIssue]
    /// How many lines the document has (0 for flat documents): what customs limits per document
    /// (``CustomsLimits/maxLinesPerDocument``), known without building the typed value. For a
    /// document handed over in parts (see ``continues``), the lines read so far, this call's included.
    public var lineCount: Int
    /// Lines of this document handed over in earlier calls: the typed value of this call holds
    /// lines `firstLine + 1 ... lineCount` (numbered from 1). 0 unless the document streams.
    public var firstLine: Int = 0
    /// True when more lines of this document follow in later calls (a streamed document, see
    /// ``CEBDocumentSink/acceptsDocumentParts``); the last call has it false. Each call carries the
    /// issues of its own lines; the head's are in the first call.
    public var continues: Bool = false

    /// Whether this call carries a part of a document streamed in parts (not a whole document).
    public var isPart: Bool { continues || firstLine > 0 }
}

/// Receives what a ``CEBDecoder`` reads, in document order.
public protocol CEBDocumentSink: AnyObject {
    /// A message's root element opened.
    func messageStarted(_ header: MessageHeader)
    /// A document's closing tag was read: `decode` builds its typed value (valid only during
    /// the call; call it only when the value is needed, checks alone do not need it), and
    /// `context` carries its position and schema-level issues.
    func document(_ decode: () -> CEBDocument, context: DocumentContext)
    /// The message's root element closed.
    func messageFinished(_ envelope: MessageEnvelope)
    /// Whether the sink takes long documents in parts (``CEBLimits/streamedMessageTypes``): a
    /// document of more than ``CEBLimits/linesPerPart`` lines then comes in several ``document(_:context:)``
    /// calls, each with the head and the next lines (``DocumentContext/continues``), so no document's
    /// lines are ever all held. Sinks that need whole documents leave it false (the default) and
    /// keep the ``CEBLimits/maxLinesPerDocument`` bound.
    var acceptsDocumentParts: Bool { get }
}

extension CEBDocumentSink {
    public var acceptsDocumentParts: Bool { false }
}
