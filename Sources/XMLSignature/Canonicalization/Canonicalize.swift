import XMLStreaming

extension StreamingCanonicalizer {
    /// The canonical form of a whole document held in memory.
    ///
    /// - Throws: ``XMLStreaming/XMLStreamError`` when the document is not well-formed or is refused
    ///   by the hardened parser (DOCTYPE, entities, limits).
    public static func canonicalize(
        _ document: [UInt8], method: CanonicalizationMethod = .inclusive, limits: XMLLimits = .standard
    ) throws(XMLStreamError) -> [UInt8] {
        let buffer = CanonicalBuffer()
        let canonicalizer = StreamingCanonicalizer(method: method, sink: buffer)
        let parser = XMLPushParser(limits: limits, handler: canonicalizer)
        try parser.feed(document)
        try parser.finish()
        canonicalizer.flush()
        return buffer.bytes
    }

    /// The digest of the canonical form of a document file (or standard input for `-`), streamed
    /// in constant memory whatever the file's size.
    public static func digest(
        path: String, method: CanonicalizationMethod = .inclusive, algorithm: DigestAlgorithm, limits: XMLLimits = .standard
    ) throws(XMLStreamError) -> [UInt8] {
        let digester = Digester(algorithm)
        let canonicalizer = StreamingCanonicalizer(method: method, sink: digester)
        let parser = XMLPushParser(limits: limits, handler: canonicalizer)
        let stream = try ByteStream(path: path)
        try stream.forEachChunk { (chunk) throws(XMLStreamError) in try parser.feed(chunk) }
        try parser.finish()
        canonicalizer.flush()
        return digester.finalize()
    }
}
