import XMLStreaming

/// Streams CEB messages from bytes to typed documents.
///
/// Feed it chunks of a file, standard input or a request body; it hands each document
/// (`Order`, `Inventory`, `WayBill`…) to its ``CEBDocumentSink`` once the document's closing
/// tag is read, with its schema-level issues and those of the given ``RecordRules``. Memory
/// stays bounded by the largest single document (see ``CEBLimits``), whatever the input size.
///
/// Two ways to run, with the same results and the same callbacks, always on the thread that
/// calls ``feed(_:)-(UnsafeRawBufferPointer)`` and ``finish()``:
/// - ``Threading/inline``: everything on the caller's thread; best for single messages.
/// - ``Threading/parserThread``: libxml2 runs on a thread of its own, recording the events,
///   while the caller's thread replays them to collect, check, type and consume the documents,
///   so two cores share a large batch. Errors then surface from a later `feed` or from
///   `finish`, after every document read before them.
///
/// One decoder reads one message; it is not thread-safe.
public final class CEBDecoder {
    /// Where the parsing runs.
    public enum Threading: Sendable {
        /// On the caller's thread.
        case inline
        /// On a dedicated thread, overlapping with the caller's checks.
        case parserThread
    }

    private let inline: (parser: XMLPushParser, core: DecoderCore)?
    private let pipeline: DecoderPipeline?

    /// Creates a decoder that reports to `sink` (held strongly).
    /// - Parameters:
    ///   - rules: checks to run on each record's raw values beside the schema's.
    ///   - threading: where libxml2 runs.
    ///   - tee: wraps the decoder's own event handler in one that also reads every event (a
    ///     signature verification forwarding to it), so one parse serves both. Inline only.
    public init(limits: CEBLimits = .standard, rules: (any RecordRules)? = nil, threading: Threading = .inline,
                tee: ((any XMLEventHandler) -> any XMLEventHandler)? = nil, sink: any CEBDocumentSink) {
        let checker = DocumentChecker(rules: rules, sink: sink)
        switch threading {
        case .inline:
            let core = DecoderCore(limits: limits, output: checker, streamsParts: sink.acceptsDocumentParts)
            let handler = tee?(core) ?? core
            inline = (XMLPushParser(vocabulary: DecoderTables.shared.vocabulary, limits: limits.xml, handler: handler), core)
            pipeline = nil
        case .parserThread:
            precondition(tee == nil, "a tee reads the parser's events on the caller's thread: use .inline")
            inline = nil
            pipeline = DecoderPipeline(limits: limits, checker: checker, streamsParts: sink.acceptsDocumentParts)
        }
    }

    /// Decodes the next chunk.
    /// - Throws: ``XMLStreamError`` when the XML itself is refused; documents already
    ///   handed to the sink stay valid.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) {
        if let inline { try inline.parser.feed(bytes) } else { try pipeline!.feed(bytes) }
    }

    /// Decodes the next chunk.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) {
        try bytes.withRawBytes { raw throws(XMLStreamError) in try feed(raw) }
    }

    /// Ends the input; throws when the document is incomplete.
    public func finish() throws(XMLStreamError) {
        if let inline { try inline.parser.finish() } else { try pipeline!.finish() }
    }

    /// Bytes consumed so far.
    public var bytesConsumed: Int { inline?.parser.bytesConsumed ?? pipeline!.bytesConsumed }
}
