import XMLStreaming

/// Masks personal data in a CEB message by parsing it and writing it out again, streaming.
///
/// Text search over raw XML misses what the parser sees through: an ID in a CDATA section or
/// written as character references (`&#51;`), a value split by `\r\n` or across chunks, a
/// document in GBK or UTF-16. This writer works on the parsed form instead: it feeds the bytes
/// (any encoding ``XMLPushParser`` reads) to the parser and re-serializes the events as UTF-8:
/// - the text of ID-number and telephone elements (any prefix) is masked whole, in
///   ``BuyerIdentityMasker``'s formats (`3501**********0024`, `139****2345`);
/// - all other text and attribute values go through ``PersonalDataScrubber``;
/// - comments and processing instructions are dropped;
/// - namespaces and prefixes are kept, so the output has the input's structure; empty
///   elements come out as `<a/>`, CDATA as escaped text.
///
/// Memory is bounded by one text node (``XMLLimits/maxTextLength``) and 64 KiB of output:
/// output is handed over as it is produced, at the latest after every ``feed(_:)``.
///
/// Not thread-safe; one writer per document.
public final class MaskedXMLWriter {
    private let handler: MaskingEventHandler
    private let parser: XMLPushParser

    /// Creates a writer.
    /// - Parameters:
    ///   - limits: bounds on the input, as for any parse.
    ///   - output: receives the masked document, UTF-8, in order, in chunks.
    public init(limits: XMLLimits = .standard, output: @escaping ([UInt8]) -> Void) {
        handler = MaskingEventHandler(output: output)
        parser = XMLPushParser(limits: limits, handler: handler)
    }

    /// Reads the next chunk of the document.
    /// - Throws: ``XMLStreamError`` when the input is not a well-formed document within the
    ///   limits; what was output so far is then a prefix of the masked document, and the
    ///   writer is spent.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) {
        try parser.feed(bytes)
        handler.flush()
    }

    /// Ends the document and hands over the rest of the output.
    public func finish() throws(XMLStreamError) {
        try parser.finish()
        handler.flush()
    }

    /// The whole document `bytes`, masked.
    public static func mask(_ bytes: [UInt8]) throws(XMLStreamError) -> [UInt8] {
        var masked: [UInt8] = []
        let writer = MaskedXMLWriter { masked.append(contentsOf: $0) }
        try writer.feed(bytes)
        try writer.finish()
        return masked
    }
}
