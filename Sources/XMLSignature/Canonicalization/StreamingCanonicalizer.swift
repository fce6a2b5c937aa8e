import XMLStreaming

/// Canonical XML (inclusive C14N 1.0 or exclusive C14N 1.0, with or without comments) computed
/// from parser events as they stream by, in constant memory.
///
/// Feed it the events of an ``XMLStreaming/XMLPushParser`` (directly, or through a tee); it writes
/// the canonical bytes to its ``CanonicalSink`` — a ``Digester`` to hash a 300 MB batch without a
/// DOM, or a ``CanonicalBuffer``. Call ``flush()`` once the parser has finished.
///
/// The input conventions are those of the hardened parser: entities and character references are
/// already decoded, CDATA sections arrive as text, line ends are normalized and there is no DOCTYPE.
/// Under those conventions the output is byte-identical to libxml2's DOM canonicalizer
/// (`xmlC14NDocSaveTo`) over the whole document, which the tests check on generated documents.
///
/// A processing instruction with no data (`<?pi ?>` as well as `<?pi?>`) is rendered `<?pi?>`, as the
/// recommendation and libxml2 2.9 do; trailing whitespace in data is kept (`<?pi data  ?>`).
///
/// Known divergence from libxml2, where libxml2 departs from the C14N recommendation: a namespace
/// URI holding `&`, `<`, `"` or whitespace characters is escaped like an attribute value (libxml2 writes
/// it raw, which is not well-formed). libxml2 also refuses relative namespace URIs; they are rendered here.
///
/// For a document subset (the subtree of one element, as `ds:SignedInfo` is), inclusive C14N renders on
/// the apex the namespaces *and* the `xml:` attributes in scope from its ancestors; exclusive C14N
/// renders neither (only visibly utilized namespaces). See ``XMLAttributeScope``.
public final class StreamingCanonicalizer: XMLEventHandler {
    /// The canonicalization algorithm.
    public let method: CanonicalizationMethod

    private let writer: CanonicalWriter
    private var scope = NamespaceScope()
    /// `xml:` attributes of the apex's ancestors; tracked only for an inclusive subset, until the apex.
    private var xmlScope = XMLAttributeScope()
    private let inheritsXMLAttributes: Bool
    /// When set, only the subtree of the first element with this (namespace, local name) is output,
    /// with the in-scope namespaces rendered on it (a document subset, as for `ds:SignedInfo`).
    private let apexName: (namespace: [UInt8], localName: [UInt8])?
    /// Depth of the element whose subtree is being output, 0 when outside it.
    private var apexDepth = 0
    private var apexDone = false
    private var names: [UInt8] = []
    private var nameStarts: [Int] = []
    private var attributeScratch: [XMLAttribute] = []
    private var namespaceScratch: [NamespaceBinding] = []
    private var utilizedScratch: [[UInt8]] = []

    /// Canonicalizes a whole document with `method`, writing to `sink`.
    public convenience init(method: CanonicalizationMethod, sink: any CanonicalSink) {
        self.init(method: method, sink: sink, apex: nil, inherited: [])
    }

    /// Canonicalizes only the subtree of the first element named `apex` (a document subset).
    ///
    /// - Parameters:
    ///   - inherited: namespace bindings in scope before the first event (those of ancestors that this
    ///     canonicalizer does not see), rendered on the apex as inclusive C14N requires.
    ///   - inheritedXMLAttributes: likewise the `xml:` attributes (by local name) in scope before the first
    ///     event; rendered on the apex by inclusive C14N unless an element seen on the way redefines them.
    init(
        method: CanonicalizationMethod, sink: any CanonicalSink, apex: (namespace: String, localName: String)?,
        inherited: [NamespaceBinding], inheritedXMLAttributes: [(localName: [UInt8], value: [UInt8])] = []
    ) {
        self.method = method
        writer = CanonicalWriter(sink: sink)
        apexName = apex.map { (Array($0.namespace.utf8), Array($0.localName.utf8)) }
        inheritsXMLAttributes = apex != nil && !method.isExclusive
        for binding in inherited { scope.declare(binding, depth: 0) }
        if inheritsXMLAttributes {
            for attribute in inheritedXMLAttributes { xmlScope.declare(localName: attribute.localName, value: attribute.value, depth: 0) }
        }
        names.reserveCapacity(1024)
        nameStarts.reserveCapacity(64)
    }

    /// Hands the remaining buffered output to the sink. Call after the parser has finished.
    public func flush() {
        writer.flush()
    }

    /// Canonical bytes produced so far.
    public var bytesWritten: Int { writer.total }

    /// The namespace bindings currently in scope (innermost per prefix).
    var inScopeNamespaces: [NamespaceBinding] { scope.inScope }

    /// The `xml:` attributes of `element` (by local name), as an ancestor hands them to a subset's apex.
    static func xmlAttributes(of element: XMLStartElement) -> [(localName: [UInt8], value: [UInt8])] {
        var scope = XMLAttributeScope()
        scope.declare(element)
        return scope.inScope
    }

    // MARK: Events

    public func startElement(_ element: XMLStartElement) {
        let depth = element.depth
        for index in 0..<element.namespaceCount {
            let declaration = element.namespace(at: index)
            scope.declare(NamespaceBinding(prefix: Array(declaration.prefix.bytes), uri: Array(declaration.uri.bytes)), depth: depth)
        }
        var isApex = false
        if apexDepth == 0 {
            guard !apexDone else { return }
            if let apexName {
                guard element.localName.bytes.elementsEqual(apexName.localName),
                      element.namespaceURI.bytes.elementsEqual(apexName.namespace) else {
                    if inheritsXMLAttributes { xmlScope.declare(element) }
                    return
                }
            }
            apexDepth = depth
            isApex = true
        }
        let start = names.count
        nameStarts.append(start)
        if !element.prefix.isNil {
            names.append(contentsOf: element.prefix.bytes)
            names.append(0x3A)
        }
        names.append(contentsOf: element.localName.bytes)
        writer.byte(0x3C)
        names.withUnsafeBufferPointer { writer.raw(UnsafeBufferPointer(rebasing: $0[start...])) }
        renderNamespaces(element, isApex: isApex)
        if isApex && inheritsXMLAttributes && !xmlScope.entries.isEmpty {
            renderApexAttributes(element, inheriting: xmlScope.inScope)
        } else {
            renderAttributes(element)
        }
        writer.byte(0x3E)
    }

    public func endElement(symbol: Int32, depth: Int) {
        if apexDepth > 0, let start = nameStarts.popLast() {
            writer.raw("</")
            names.withUnsafeBufferPointer { writer.raw(UnsafeBufferPointer(rebasing: $0[start...])) }
            writer.byte(0x3E)
            names.removeSubrange(start...)
            if depth == apexDepth {
                apexDepth = 0
                apexDone = true
            }
        }
        scope.leave(depth: depth)
        if inheritsXMLAttributes { xmlScope.leave(depth: depth) }
    }

    public func characters(_ text: UnsafeBufferPointer<UInt8>) {
        guard apexDepth > 0 else { return }
        writer.text(text)
    }

    public func comment(_ text: UnsafeBufferPointer<UInt8>) {
        guard method.keepsComments else { return }
        outsideNode {
            writer.raw("<!--")
            writer.raw(text)
            writer.raw("-->")
        }
    }

    public func processingInstruction(target: String, data: String) {
        outsideNode {
            writer.raw("<?")
            writer.raw(Array(target.utf8))
            if !data.isEmpty {
                writer.byte(0x20)
                writer.raw(Array(data.utf8))
            }
            writer.raw("?>")
        }
    }

    /// Writes a comment or PI: inside the output subtree as is; at document level (whole-document
    /// mode only) followed by a line feed before the root, preceded by one after it.
    private func outsideNode(_ write: () -> Void) {
        if apexDepth > 0 {
            write()
        } else if apexName == nil {
            if apexDone { writer.byte(0x0A) }
            write()
            if !apexDone { writer.byte(0x0A) }
        }
    }

    // MARK: Start tag

    private func renderNamespaces(_ element: XMLStartElement, isApex: Bool) {
        namespaceScratch.removeAll(keepingCapacity: true)
        if method.isExclusive {
            collectUtilizedNamespaces(element)
        } else if isApex {
            for binding in scope.inScope where needsRendering(binding) { namespaceScratch.append(binding) }
        } else if element.namespaceCount > 0 {
            for index in 0..<element.namespaceCount {
                let declaration = element.namespace(at: index)
                let binding = NamespaceBinding(prefix: Array(declaration.prefix.bytes), uri: Array(declaration.uri.bytes))
                if needsRendering(binding) { namespaceScratch.append(binding) }
            }
        }
        guard !namespaceScratch.isEmpty else { return }
        if namespaceScratch.count > 1 { namespaceScratch.sort { $0.prefix.lexicographicallyPrecedes($1.prefix) } }
        for binding in namespaceScratch {
            writer.raw(" xmlns")
            if !binding.prefix.isEmpty {
                writer.byte(0x3A)
                writer.raw(binding.prefix)
            }
            writer.raw("=\"")
            writer.attributeValue(binding.uri)
            writer.byte(0x22)
            scope.render(binding, depth: element.depth)
        }
    }

    /// Whether `binding` differs from what the nearest output ancestor rendered for its prefix
    /// (an empty default namespace needs no rendering when no default was ever rendered).
    private func needsRendering(_ binding: NamespaceBinding) -> Bool {
        if let rendered = scope.renderedURI(prefix: binding.prefix) { return rendered != binding.uri }
        return !binding.uri.isEmpty
    }

    /// Exclusive C14N: the namespaces visibly utilized by the element's name and its attributes.
    private func collectUtilizedNamespaces(_ element: XMLStartElement) {
        utilizedScratch.removeAll(keepingCapacity: true)
        utilizedScratch.append(Array(element.prefix.bytes))
        for index in 0..<element.attributeCount {
            let prefix = element.attribute(at: index).prefix
            guard !prefix.isNil else { continue }
            let bytes = Array(prefix.bytes)
            if bytes != Self.xmlPrefix, !utilizedScratch.contains(bytes) { utilizedScratch.append(bytes) }
        }
        for prefix in utilizedScratch where prefix != Self.xmlPrefix {
            let uri = prefix.withUnsafeBufferPointer { scope.declaredURI(prefix: $0) } ?? []
            let binding = NamespaceBinding(prefix: prefix, uri: uri)
            if needsRendering(binding) { namespaceScratch.append(binding) }
        }
    }

    private static let xmlPrefix: [UInt8] = Array("xml".utf8)

    private func renderAttributes(_ element: XMLStartElement) {
        let count = element.attributeCount
        guard count > 0 else { return }
        if count == 1 {
            renderAttribute(element.attribute(at: 0))
            return
        }
        attributeScratch.removeAll(keepingCapacity: true)
        for index in 0..<count { attributeScratch.append(element.attribute(at: index)) }
        attributeScratch.sort { lhs, rhs in
            let left = lhs.namespaceURI.bytes, right = rhs.namespaceURI.bytes
            if !left.elementsEqual(right) { return left.lexicographicallyPrecedes(right) }
            return lhs.localName.bytes.lexicographicallyPrecedes(rhs.localName.bytes)
        }
        for attribute in attributeScratch { renderAttribute(attribute) }
    }

    /// The apex of an inclusive subset: its own attributes plus the inherited `xml:` ones it does not
    /// redefine, in canonical order (namespace URI, then local name). Runs once per subset: no fast path.
    private func renderApexAttributes(_ element: XMLStartElement, inheriting inherited: [(localName: [UInt8], value: [UInt8])]) {
        typealias Item = (namespace: [UInt8], localName: [UInt8], prefix: [UInt8], value: [UInt8])
        var items: [Item] = (0..<element.attributeCount).map { index in
            let attribute = element.attribute(at: index)
            return (Array(attribute.namespaceURI.bytes), Array(attribute.localName.bytes), Array(attribute.prefix.bytes), Array(attribute.value))
        }
        for attribute in inherited
        where !items.contains(where: { $0.namespace == XMLAttributeScope.namespace && $0.localName == attribute.localName }) {
            items.append((XMLAttributeScope.namespace, attribute.localName, XMLAttributeScope.prefix, attribute.value))
        }
        items.sort { lhs, rhs in
            lhs.namespace != rhs.namespace
                ? lhs.namespace.lexicographicallyPrecedes(rhs.namespace) : lhs.localName.lexicographicallyPrecedes(rhs.localName)
        }
        for item in items {
            writer.byte(0x20)
            if !item.prefix.isEmpty {
                writer.raw(item.prefix)
                writer.byte(0x3A)
            }
            writer.raw(item.localName)
            writer.raw("=\"")
            writer.attributeValue(item.value)
            writer.byte(0x22)
        }
    }

    @inline(__always)
    private func renderAttribute(_ attribute: XMLAttribute) {
        writer.byte(0x20)
        if !attribute.prefix.isNil {
            writer.raw(attribute.prefix.bytes)
            writer.byte(0x3A)
        }
        writer.raw(attribute.localName.bytes)
        writer.raw("=\"")
        writer.attributeValue(attribute.value)
        writer.byte(0x22)
    }
}
