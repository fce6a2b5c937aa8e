import CLibXML2

/// A hardened streaming XML parser over libxml2's SAX2 push interface.
///
/// Feed it byte chunks in any size; it calls its ``XMLEventHandler`` as elements start
/// and end, and keeps nothing of the document beyond the current token. It refuses any
/// DOCTYPE, never expands or loads an entity, never touches the network or the file
/// system, and enforces ``XMLLimits``, the start-tag bounds before libxml2 reads a tag
/// (its duplicate-attribute check is quadratic; see `StartTagScanner`). UTF-8 (with or
/// without BOM), UTF-16 and the encodings libxml2 reaches through iconv (GBK, GB18030)
/// are read; text reaches the handler as UTF-8.
///
/// A parser is not thread-safe; use one per document and thread.
public final class XMLPushParser {
    /// The limits in force.
    public let limits: XMLLimits
    /// The vocabulary whose names arrive as symbols.
    public let vocabulary: XMLVocabulary

    /// Receives the events, unless they are recorded into `tape`.
    let handler: (any XMLEventHandler)?
    /// Where the events are recorded instead (see ``init(vocabulary:limits:recordingInto:)``).
    let recording: XMLEventTape?
    /// The same tape, reached per event without a retain (`recording` keeps it alive).
    let tape: Unmanaged<XMLEventTape>?
    let context: xmlParserCtxtPtr
    let symbols: SymbolMap
    /// Symbols of the open elements, `depth` of them.
    let symbolStack: UnsafeMutablePointer<Int32>
    var depth = 0
    var textLength = 0
    var failure: XMLStreamError?
    var finished = false
    /// Bounds start tags before libxml2 reads them.
    var scanner: StartTagScanner
    /// The first bytes, held until the scanner knows the code-unit width.
    var head: [UInt8] = []

    /// Creates a parser.
    /// - Parameters:
    ///   - vocabulary: names (element, attribute, namespace URI) reported as indexes into its names.
    ///   - limits: bounds on untrusted input.
    ///   - handler: receives the events; held strongly for the parser's life.
    public convenience init(vocabulary: XMLVocabulary = .empty, limits: XMLLimits = .standard, handler: any XMLEventHandler) {
        self.init(vocabulary: vocabulary, limits: limits, handler: handler, tape: nil)
    }

    /// Creates a parser that records its events into `tape` instead of calling a handler; an
    /// ``XMLEventReplayer`` (with the same vocabulary) replays them, on another thread if need be,
    /// while this parser is alive. Limits are enforced here, as the events are read. Take the
    /// events out of the tape after each ``feed(_:)-(UnsafeRawBufferPointer)``.
    public convenience init(vocabulary: XMLVocabulary = .empty, limits: XMLLimits = .standard, recordingInto tape: XMLEventTape) {
        self.init(vocabulary: vocabulary, limits: limits, handler: nil, tape: tape)
    }

    private init(vocabulary: XMLVocabulary, limits: XMLLimits, handler: (any XMLEventHandler)?, tape: XMLEventTape?) {
        self.limits = limits
        self.vocabulary = vocabulary
        self.handler = handler
        recording = tape
        self.tape = tape.map { .passUnretained($0) }
        scanner = StartTagScanner(limits: limits)
        var sax = SAXCallbacks.handler()
        // The context is created without user data; it is set right after, once `self` exists.
        guard let context = xmlCreatePushParserCtxt(&sax, nil, nil, 0, nil) else {
            fatalError("libxml2 could not allocate a parser context")
        }
        self.context = context
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOENT.rawValue | XML_PARSE_NOCDATA.rawValue))
        symbols = SymbolMap(vocabulary: vocabulary)
        symbolStack = .allocate(capacity: limits.maxDepth + 1)
        context.pointee.userData = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        xmlFreeParserCtxt(context)
        symbols.deallocate()
        symbolStack.deallocate()
    }

    /// The position the parser has reached.
    public var position: XMLPosition {
        guard let input = context.pointee.input else { return XMLPosition(line: 1, column: 1) }
        return XMLPosition(line: Int(input.pointee.line), column: Int(input.pointee.col))
    }

    /// Bytes of input consumed so far (before any transcoding).
    public var bytesConsumed: Int { Int(xmlByteConsumed(context)) }

    /// Parses the next chunk of the document.
    /// - Throws: ``XMLStreamError`` at the first problem; the parser is then spent.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) {
        if let failure { throw failure }
        precondition(!finished, "feed after finish")
        if scanner.width == 0 {
            // The scanner's code-unit width comes from the first four bytes; hold them until then.
            if head.isEmpty && bytes.count >= 4 {
                try detectEncoding(Array(bytes.prefix(4)))
            } else {
                head.append(contentsOf: bytes)
                if head.count >= 4 { try feedHead() }
                return
            }
        }
        var rest = bytes
        while !rest.isEmpty {
            let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(1 << 20))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(piece.count))
            if let refusal = scanner.scan(piece) {
                // libxml2 reads up to the offending `<`, so that its position points there.
                try parse(UnsafeRawBufferPointer(rebasing: piece.prefix(refusal.safePrefix)))
                fail(refusal.reason)
                throw failure!
            }
            try parse(piece)
        }
    }

    private func detectEncoding(_ head: [UInt8]) throws(XMLStreamError) {
        if let reason = scanner.detectEncoding(head) {
            fail(reason)
            throw failure!
        }
    }

    private func feedHead() throws(XMLStreamError) {
        try detectEncoding(head)
        let held = head
        head = []
        try held.withRawBytes { raw throws(XMLStreamError) in try feed(raw) }
    }

    private func parse(_ piece: UnsafeRawBufferPointer) throws(XMLStreamError) {
        guard let start = piece.baseAddress, !piece.isEmpty else { return }
        let code = xmlParseChunk(context, start.assumingMemoryBound(to: CChar.self), Int32(piece.count), 0)
        try check(code)
        if let input = context.pointee.input, input.pointee.end - input.pointee.cur > limits.maxPendingBytes {
            fail(.pendingLimit(limits.maxPendingBytes))
            throw failure!
        }
    }

    /// Parses the next chunk of the document.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) {
        try bytes.withRawBytes { raw throws(XMLStreamError) in try feed(raw) }
    }

    /// Tells the parser the input is complete and checks the document ended properly.
    public func finish() throws(XMLStreamError) {
        if let failure { throw failure }
        guard !finished else { return }
        if scanner.width == 0 { try feedHead() }
        finished = true
        let code = xmlParseChunk(context, nil, 0, 1)
        try check(code)
        if context.pointee.wellFormed == 0 || depth != 0 {
            fail(.truncated)
            throw failure!
        }
    }

    private func check(_ code: Int32) throws(XMLStreamError) {
        if let failure { throw failure }
        if code != 0 || context.pointee.wellFormed == 0 {
            fail(.malformed("libxml2 error \(code)"))
            throw failure!
        }
    }

    /// Records the first failure and stops the parser.
    func fail(_ reason: XMLStreamError.Reason, at position: XMLPosition? = nil) {
        guard failure == nil else { return }
        failure = XMLStreamError(reason, at: position ?? self.position)
        xmlStopParser(context)
    }
}
