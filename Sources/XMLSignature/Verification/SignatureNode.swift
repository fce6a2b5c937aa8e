import XMLStreaming

/// A small element tree of a captured `ds:Signature` (a few kilobytes; never the document).
final class SignatureNode {
    let namespace: String
    let localName: String
    let position: XMLPosition
    /// Attributes without a namespace, by local name.
    var attributes: [String: String] = [:]
    var children: [SignatureNode] = []
    /// Direct text content, concatenated.
    var text = ""

    init(namespace: String, localName: String, position: XMLPosition) {
        self.namespace = namespace
        self.localName = localName
        self.position = position
    }

    /// Whether this is the XML-DSig element `name`.
    func isDSig(_ name: String) -> Bool { namespace == XMLDSig.namespace && localName == name }

    /// `ds:name` style, for messages.
    var displayName: String { namespace == XMLDSig.namespace ? "ds:\(localName)" : "{\(namespace)}\(localName)" }

    /// Whether the direct text is only whitespace.
    var textIsBlank: Bool { text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
}

/// Builds a ``SignatureNode`` tree from parser events.
final class SignatureTreeBuilder: XMLEventHandler {
    private(set) var root: SignatureNode?
    private var stack: [SignatureNode] = []

    func startElement(_ element: XMLStartElement) {
        let node = SignatureNode(
            namespace: element.namespaceURI.string ?? "", localName: element.localName.string ?? "", position: element.position)
        for index in 0..<element.attributeCount {
            let attribute = element.attribute(at: index)
            if attribute.namespaceURI.isNil, let name = attribute.localName.string { node.attributes[name] = attribute.stringValue }
        }
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
    }

    func endElement(symbol: Int32, depth: Int) {
        _ = stack.popLast()
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        stack.last?.text += String(decoding: text, as: UTF8.self)
    }
}
