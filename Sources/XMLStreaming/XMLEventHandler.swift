import CLibXML2

/// Receives the events of a document as the ``XMLPushParser`` reads it.
///
/// Every pointer an event carries is valid only during the call: copy what you keep.
/// Element names arrive as *symbols*, indexes into the vocabulary given to the parser,
/// so a handler compares small integers instead of strings on the hot path.
public protocol XMLEventHandler: AnyObject {
    /// An element starts.
    func startElement(_ element: XMLStartElement)
    /// An element ends; `symbol` is the one its start carried.
    func endElement(symbol: Int32, depth: Int)
    /// Character data (CDATA included), UTF-8. One text node may come in several pieces.
    func characters(_ text: UnsafeBufferPointer<UInt8>)
    /// A comment, UTF-8.
    func comment(_ text: UnsafeBufferPointer<UInt8>)
    /// A processing instruction.
    func processingInstruction(target: String, data: String)
}

extension XMLEventHandler {
    public func comment(_ text: UnsafeBufferPointer<UInt8>) {}
    public func processingInstruction(target: String, data: String) {}
}

/// A name the parser met, as a NUL-terminated UTF-8 string owned by the parser.
public struct XMLRawName {
    @usableFromInline let pointer: UnsafePointer<UInt8>?

    @usableFromInline init(_ pointer: UnsafePointer<UInt8>?) { self.pointer = pointer }

    /// Whether the name is absent (no prefix, no namespace).
    @inlinable public var isNil: Bool { pointer == nil }

    /// The bytes of the name, without the terminating NUL.
    public var bytes: UnsafeBufferPointer<UInt8> {
        guard let pointer else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer)))
    }

    /// The name as a `String` (allocates; keep it off hot paths).
    public var string: String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

/// One attribute of an ``XMLStartElement``.
public struct XMLAttribute {
    /// Vocabulary index of the local name, or -1.
    public let symbol: Int32
    /// Local name.
    public let localName: XMLRawName
    /// Prefix, if any.
    public let prefix: XMLRawName
    /// Namespace URI, if any.
    public let namespaceURI: XMLRawName
    /// The normalized value, UTF-8, with character and predefined entity references resolved.
    public let value: UnsafeBufferPointer<UInt8>

    /// The value as a `String`.
    public var stringValue: String { String(decoding: value, as: UTF8.self) }
}

/// One namespace declaration (`xmlns` or `xmlns:p`) on an element.
public struct XMLNamespaceDeclaration {
    /// The declared prefix; nil for the default namespace.
    public let prefix: XMLRawName
    /// The namespace URI (empty undeclares the default namespace).
    public let uri: XMLRawName
}

/// The start of an element, valid only during ``XMLEventHandler/startElement(_:)``.
public struct XMLStartElement {
    /// Vocabulary index of the local name, or -1 when the name is not in the vocabulary.
    public let symbol: Int32
    /// Vocabulary index of the namespace URI, or -1 (unknown URI or no namespace).
    public let namespaceSymbol: Int32
    /// Depth of this element: the root is 1.
    public let depth: Int
    /// Where the start tag ends.
    public let position: XMLPosition
    /// Local name.
    public let localName: XMLRawName
    /// Prefix, if any.
    public let prefix: XMLRawName
    /// Namespace URI, if any.
    public let namespaceURI: XMLRawName

    @usableFromInline let namespaces: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    /// Number of namespace declarations on this element.
    public let namespaceCount: Int
    @usableFromInline let attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    /// Number of attributes (namespace declarations not included).
    public let attributeCount: Int
    @usableFromInline let symbols: SymbolMap

    /// The `index`th namespace declaration, in document order.
    public func namespace(at index: Int) -> XMLNamespaceDeclaration {
        precondition(index >= 0 && index < namespaceCount)
        return XMLNamespaceDeclaration(prefix: XMLRawName(namespaces![2 * index]), uri: XMLRawName(namespaces![2 * index + 1]))
    }

    /// The `index`th attribute, in document order.
    public func attribute(at index: Int) -> XMLAttribute {
        precondition(index >= 0 && index < attributeCount)
        let base = attributes! + 5 * index
        let begin = base[3]!, end = base[4]!
        return XMLAttribute(
            symbol: symbols.symbol(for: base[0]),
            localName: XMLRawName(base[0]),
            prefix: XMLRawName(base[1]),
            namespaceURI: XMLRawName(base[2]),
            value: UnsafeBufferPointer(start: begin, count: end - begin)
        )
    }

    /// The value of the first attribute whose local name has the vocabulary index `symbol`.
    public func attributeValue(symbol: Int32) -> UnsafeBufferPointer<UInt8>? {
        for index in 0..<attributeCount where symbols.symbol(for: attributes![5 * index]) == symbol {
            let begin = attributes![5 * index + 3]!, end = attributes![5 * index + 4]!
            return UnsafeBufferPointer(start: begin, count: end - begin)
        }
        return nil
    }
}
