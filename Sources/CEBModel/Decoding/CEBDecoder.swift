import XMLStreaming

/// Streams CEB messages from bytes to typed documents.
///
/// Feed it chunks of a file, standard input or a request body; it hands each document
/// (`Order`, `Inventory`, `WayBill`…) to its ``CEBDocumentSink`` the moment the document's
/// closing tag is read, with its schema-level issues. Memory stays bounded by the largest
/// single document (see ``CEBLimits``), whatever the size of the input.
///
/// One decoder reads one message; it is not thread-safe.
public final class CEBDecoder {
    let core: DecoderCore
    let parser: XMLPushParser

    /// Creates a decoder that reports to `sink` (held strongly).
    /// - Parameter rules: checks to run on each record's raw values beside the schema's.
    public init(limits: CEBLimits = .standard, rules: (any RecordRules)? = nil, sink: any CEBDocumentSink) {
        core = DecoderCore(limits: limits, rules: rules, sink: sink)
        parser = XMLPushParser(vocabulary: DecoderTables.shared.vocabulary, limits: limits.xml, handler: core)
    }

    /// Decodes the next chunk.
    /// - Throws: ``XMLStreamError`` when the XML itself is refused; documents already
    ///   handed to the sink stay valid.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) {
        try parser.feed(bytes)
    }

    /// Decodes the next chunk.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) {
        try parser.feed(bytes)
    }

    /// Ends the input; throws when the document is incomplete.
    public func finish() throws(XMLStreamError) {
        try parser.finish()
    }

    /// Bytes consumed so far.
    public var bytesConsumed: Int { parser.bytesConsumed }
}
