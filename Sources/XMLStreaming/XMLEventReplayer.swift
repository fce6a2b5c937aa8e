/// Replays ``XMLEventTape``s to a handler: the same calls, in the same order, with the same
/// symbols, positions and values as the parser would have made directly.
///
/// One replayer serves one parser's tapes, in order, on one thread; the parser must still be
/// alive (the tapes hold its interned names).
public final class XMLEventReplayer {
    private let handler: any XMLEventHandler
    private let vocabulary: XMLVocabulary
    private let symbols: SymbolMap
    /// Symbols of the open elements.
    private var symbolStack: [Int32] = []
    /// Scratch for one start tag's namespace and attribute pointers.
    private var namespaces: [UnsafePointer<UInt8>?] = []
    private var attributes: [UnsafePointer<UInt8>?] = []

    /// Creates a replayer calling `handler` (held strongly), with symbols from `vocabulary`
    /// (the parser's).
    public init(vocabulary: XMLVocabulary, handler: any XMLEventHandler) {
        self.handler = handler
        self.vocabulary = vocabulary
        symbols = SymbolMap(vocabulary: vocabulary)
        symbolStack.reserveCapacity(64)
    }

    deinit { symbols.deallocate() }

    /// Calls the handler for every event of `tape`.
    public func replay(_ tape: XMLEventTape) {
        var offset = 0
        let base = UnsafeRawPointer(tape.base)
        while offset < tape.count {
            let at = base + offset
            let kind = at.load(as: UInt32.self)
            let value = Int(at.load(fromByteOffset: 4, as: UInt32.self))
            switch XMLEventTape.Kind(rawValue: kind) {
            case .start:
                offset += start(at, depth: value)
            case .end:
                let symbol = symbolStack.removeLast()
                handler.endElement(symbol: symbol, depth: value)
                offset += 8
            case .text:
                handler.characters(UnsafeBufferPointer(start: (at + 8).assumingMemoryBound(to: UInt8.self), count: value))
                offset += 8 + XMLEventTape.padded(value)
            case .comment:
                handler.comment(UnsafeBufferPointer(start: (at + 8).assumingMemoryBound(to: UInt8.self), count: value))
                offset += 8 + XMLEventTape.padded(value)
            case .processingInstruction:
                let bytes = UnsafeBufferPointer(start: (at + 8).assumingMemoryBound(to: UInt8.self), count: value)
                let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
                handler.processingInstruction(target: String(decoding: parts[0], as: UTF8.self),
                                              data: String(decoding: parts[1], as: UTF8.self))
                offset += 8 + XMLEventTape.padded(value)
            case nil:
                preconditionFailure("corrupt event tape")
            }
        }
    }

    /// Replays one start record; returns its length.
    private func start(_ at: UnsafeRawPointer, depth: Int) -> Int {
        let localName = at.load(fromByteOffset: 16, as: UnsafePointer<UInt8>?.self)
        let uri = at.load(fromByteOffset: 32, as: UnsafePointer<UInt8>?.self)
        let namespaceCount = Int(at.load(fromByteOffset: 40, as: UInt32.self))
        let attributeCount = Int(at.load(fromByteOffset: 44, as: UInt32.self))
        var length = 48
        // Most elements have neither: leave the scratch arrays alone then.
        if namespaceCount > 0 {
            namespaces.removeAll(keepingCapacity: true)
            for index in 0..<(2 * namespaceCount) {
                namespaces.append(at.load(fromByteOffset: 48 + 8 * index, as: UnsafePointer<UInt8>?.self))
            }
            length += 16 * namespaceCount
        }
        if attributeCount > 0 {
            attributes.removeAll(keepingCapacity: true)
            for _ in 0..<attributeCount {
                for name in 0..<3 { attributes.append(at.load(fromByteOffset: length + 8 * name, as: UnsafePointer<UInt8>?.self)) }
                let valueLength = Int(at.load(fromByteOffset: length + 24, as: UInt64.self))
                let value = (at + length + 32).assumingMemoryBound(to: UInt8.self)
                attributes.append(value)
                attributes.append(value + valueLength)
                length += 32 + XMLEventTape.padded(valueLength)
            }
        }
        let symbol = symbols.symbol(for: localName)
        symbolStack.append(symbol)
        namespaces.withUnsafeMutableBufferPointer { namespaces in
            attributes.withUnsafeMutableBufferPointer { attributes in
                handler.startElement(XMLStartElement(
                    symbol: symbol,
                    namespaceSymbol: symbols.symbol(for: uri),
                    depth: depth,
                    position: XMLPosition(line: Int(at.load(fromByteOffset: 8, as: Int32.self)),
                                          column: Int(at.load(fromByteOffset: 12, as: Int32.self))),
                    localName: XMLRawName(localName),
                    prefix: XMLRawName(at.load(fromByteOffset: 24, as: UnsafePointer<UInt8>?.self)),
                    namespaceURI: XMLRawName(uri),
                    namespaces: namespaceCount > 0 ? namespaces.baseAddress : nil,
                    namespaceCount: namespaceCount,
                    attributes: attributeCount > 0 ? attributes.baseAddress : nil,
                    attributeCount: attributeCount,
                    symbols: symbols
                ))
            }
        }
        return length
    }
}
