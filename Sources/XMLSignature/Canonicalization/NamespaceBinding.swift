/// A namespace prefix bound to a URI; the empty prefix is the default namespace, and an empty
/// URI on it undeclares the default namespace (`xmlns=""`).
public struct NamespaceBinding: Sendable, Hashable, CustomStringConvertible {
    /// The prefix bytes (UTF-8), empty for the default namespace.
    public var prefix: [UInt8]
    /// The namespace URI bytes (UTF-8).
    public var uri: [UInt8]

    /// A binding from bytes.
    public init(prefix: [UInt8], uri: [UInt8]) {
        self.prefix = prefix
        self.uri = uri
    }

    /// A binding from strings; `""` is the default namespace.
    public init(prefix: String, uri: String) {
        self.init(prefix: Array(prefix.utf8), uri: Array(uri.utf8))
    }

    /// `xmlns:p="uri"` or `xmlns="uri"`.
    public var description: String {
        let uriText = String(decoding: uri, as: UTF8.self)
        return prefix.isEmpty ? "xmlns=\"\(uriText)\"" : "xmlns:\(String(decoding: prefix, as: UTF8.self))=\"\(uriText)\""
    }
}

/// The namespace bindings in scope, and those already rendered on output ancestors,
/// as two stacks tagged with the depth of the element that pushed them.
struct NamespaceScope {
    struct Entry {
        var binding: NamespaceBinding
        var depth: Int
    }

    private(set) var declared: [Entry] = []
    private(set) var rendered: [Entry] = []

    mutating func declare(_ binding: NamespaceBinding, depth: Int) {
        declared.append(Entry(binding: binding, depth: depth))
    }

    mutating func render(_ binding: NamespaceBinding, depth: Int) {
        rendered.append(Entry(binding: binding, depth: depth))
    }

    /// Drops what elements at `depth` or deeper pushed.
    mutating func leave(depth: Int) {
        while let last = declared.last, last.depth >= depth { declared.removeLast() }
        while let last = rendered.last, last.depth >= depth { rendered.removeLast() }
    }

    /// The URI bound to `prefix` in scope, `nil` when unbound.
    func declaredURI(prefix: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        for entry in declared.reversed() where entry.binding.prefix.elementsEqual(prefix) { return entry.binding.uri }
        return nil
    }

    /// The URI rendered for `prefix` on the nearest output ancestor, `nil` when none was.
    func renderedURI(prefix: [UInt8]) -> [UInt8]? {
        for entry in rendered.reversed() where entry.binding.prefix == prefix { return entry.binding.uri }
        return nil
    }

    /// Every binding in scope, the innermost per prefix (the default namespace included, even when empty).
    var inScope: [NamespaceBinding] {
        var seen = Set<[UInt8]>()
        var result: [NamespaceBinding] = []
        for entry in declared.reversed() where seen.insert(entry.binding.prefix).inserted {
            result.append(entry.binding)
        }
        return result
    }
}
