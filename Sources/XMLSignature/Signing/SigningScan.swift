import XMLStreaming

/// The first signing pass: digests the canonical form of the unsigned document and notes what the
/// second pass needs — the root's namespace declarations and `xml:` attributes, its name, where it ends, and whether a
/// `ds:Signature` is already present (then signing is refused), and where the run of root children
/// named in `trailing` that ends the root begins (the signature goes before it).
final class SigningScan: XMLEventHandler {
    let canonicalizer: StreamingCanonicalizer
    let digester: Digester
    /// Reads the parser's input offset (set once the parser exists).
    var offset: () -> Int = { 0 }
    private(set) var rootNamespaces: [NamespaceBinding] = []
    /// The root's `xml:` attributes, which inclusive C14N of `ds:SignedInfo` inherits.
    private(set) var rootXMLAttributes: [(localName: [UInt8], value: [UInt8])] = []
    private(set) var rootName: [UInt8] = []
    /// Offset just past the `>` that closes the root element.
    private(set) var rootEnd: Int?
    private(set) var existingSignature: XMLPosition?
    /// Root children the signature must precede when they end the root (export messages' `ExtendMessage`).
    let trailing: [ElementName]
    /// Parser offset reported inside (or just after) the start tag of the first child of the run of
    /// `trailing` children that ends the root, with that child's qualified name; nil when the root does
    /// not end with such a run.
    private(set) var trailingStart: (offset: Int, qualifiedName: [UInt8])?

    init(method: CanonicalizationMethod, digest: DigestAlgorithm, trailing: [ElementName] = []) {
        self.trailing = trailing
        digester = Digester(digest)
        canonicalizer = StreamingCanonicalizer(method: method, sink: digester)
    }

    func startElement(_ element: XMLStartElement) {
        if element.depth == 1 {
            for index in 0..<element.namespaceCount {
                let declaration = element.namespace(at: index)
                rootNamespaces.append(NamespaceBinding(prefix: Array(declaration.prefix.bytes), uri: Array(declaration.uri.bytes)))
            }
            rootXMLAttributes = StreamingCanonicalizer.xmlAttributes(of: element)
            rootName = element.prefix.isNil ? [] : Array(element.prefix.bytes) + [0x3A]
            rootName += element.localName.bytes
        }
        if existingSignature == nil, element.localName.bytes.elementsEqual(XMLDSig.signatureBytes),
           element.namespaceURI.bytes.elementsEqual(XMLDSig.namespaceBytes) {
            existingSignature = element.position
        }
        if element.depth == 2 && !trailing.isEmpty {
            if !trailing.contains(where: { $0.matches(element) }) {
                trailingStart = nil
            } else if trailingStart == nil {
                let name = (element.prefix.isNil ? [] : Array(element.prefix.bytes) + [0x3A]) + Array(element.localName.bytes)
                trailingStart = (offset(), name)
            }
        }
        canonicalizer.startElement(element)
    }

    func endElement(symbol: Int32, depth: Int) {
        canonicalizer.endElement(symbol: symbol, depth: depth)
        if depth == 1 { rootEnd = offset() }
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) { canonicalizer.characters(text) }
    func comment(_ text: UnsafeBufferPointer<UInt8>) { canonicalizer.comment(text) }
    func processingInstruction(target: String, data: String) { canonicalizer.processingInstruction(target: target, data: data) }

    /// The digest of the canonical document.
    func finish() -> [UInt8] {
        canonicalizer.flush()
        return digester.finalize()
    }
}
