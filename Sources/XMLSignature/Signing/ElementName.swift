import XMLStreaming

/// An element named by namespace URI and local name, as XML-DSig placement rules need it: prefixes
/// are the document's choice, so only the pair identifies an element.
///
/// Used to name the root children that may follow an enveloped `ds:Signature` (export CEB messages
/// put `ceb:ExtendMessage` after it). XMLSignature knows no CEB vocabulary: callers pass the names.
public struct ElementName: Sendable, Hashable, CustomStringConvertible {
    /// The namespace URI ("" for none).
    public var namespace: String
    /// The local name.
    public var localName: String

    /// Creates a name.
    public init(namespace: String, localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    /// Whether `element` is this element.
    func matches(_ element: XMLStartElement) -> Bool {
        element.localName.bytes.elementsEqual(localName.utf8) && element.namespaceURI.bytes.elementsEqual(namespace.utf8)
    }

    public var description: String { "{\(namespace)}\(localName)" }
}
