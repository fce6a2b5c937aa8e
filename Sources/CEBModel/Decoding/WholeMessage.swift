import XMLStreaming

/// A CEB message decoded whole, in one pass: its header, typed documents, every issue and the
/// envelope. The one place that collects a message in memory (single messages, and stored
/// documents read back for the cross-message rules); batches of any size stream through
/// ``CEBDecoder`` with a sink of their own instead.
public struct WholeMessage: Sendable {
    /// Envelope guid, when the root carried one.
    public var guid: String?
    /// Message type number (e.g. `CEB621`), when the root is a known message.
    public var messageType: String?
    /// The business documents in order.
    public var documents: [CEBDocument]
    /// Schema-level and rule issues of the documents, then of the envelope.
    public var issues: [ValidationIssue]
    /// `BaseTransfer`, signature presence and the envelope's own issues; nil when the root never closed.
    public var envelope: MessageEnvelope?

    /// Decodes `bytes`, running `rules` beside the schema's checks.
    /// - Parameter tee: wraps the decoder's event handler (see ``CEBDecoder``), e.g. to verify a signature in the same parse.
    /// - Throws: ``XMLStreamError`` for input that is not a readable document.
    public static func decode(
        _ bytes: [UInt8], rules: (any RecordRules)? = nil, tee: ((any XMLEventHandler) -> any XMLEventHandler)? = nil
    ) throws(XMLStreamError) -> WholeMessage {
        let collector = Collector()
        let decoder = CEBDecoder(rules: rules, tee: tee, sink: collector)
        try decoder.feed(bytes)
        try decoder.finish()
        return collector.message
    }

    /// The documents of `bytes`, as many as could be read (a stored message is read back this way).
    public static func documents(of bytes: [UInt8]) -> [CEBDocument] {
        let collector = Collector()
        let decoder = CEBDecoder(sink: collector)
        do {
            try decoder.feed(bytes)
            try decoder.finish()
        } catch {
            return collector.message.documents
        }
        return collector.message.documents
    }

    final class Collector: CEBDocumentSink {
        var message = WholeMessage(guid: nil, messageType: nil, documents: [], issues: [], envelope: nil)
        func messageStarted(_ header: MessageHeader) {
            message.guid = header.guid
            message.messageType = header.spec?.number
        }
        func document(_ decode: () -> CEBDocument, context: DocumentContext) {
            message.issues += context.issues
            message.documents.append(decode())
        }
        func messageFinished(_ envelope: MessageEnvelope) {
            message.envelope = envelope
            message.issues += envelope.issues
        }
    }
}
