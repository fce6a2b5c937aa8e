import XMLStreaming

/// The `xml:` attributes (`xml:lang`, `xml:space`, `xml:base`, `xml:id`) declared on the ancestors of a
/// document subset's apex, innermost first.
///
/// Inclusive C14N 1.0 (§2.4) renders them on the apex, because the subset loses the ancestors that gave
/// them their meaning: a `ds:SignedInfo` under a root with `xml:lang="zh"` canonicalizes with
/// `xml:lang="zh"` on it, and libxml2 (hence xmlsec1) signs and verifies exactly that. Exclusive C14N
/// does not inherit them. C14N 1.1's `xml:base` fix-up and `xml:id` exception are not applied here:
/// 1.1 is not supported.
struct XMLAttributeScope {
    struct Entry {
        /// The local name (`lang`, `space`, …); the prefix is always `xml`.
        var localName: [UInt8]
        var value: [UInt8]
        var depth: Int
    }

    private(set) var entries: [Entry] = []

    /// The `xml` prefix.
    static let prefix: [UInt8] = Array("xml".utf8)
    /// The namespace the `xml` prefix is bound to, by definition.
    static let namespace: [UInt8] = Array("http://www.w3.org/XML/1998/namespace".utf8)

    mutating func declare(localName: [UInt8], value: [UInt8], depth: Int) {
        entries.append(Entry(localName: localName, value: value, depth: depth))
    }

    /// Records the `xml:` attributes of `element`.
    mutating func declare(_ element: XMLStartElement) {
        for index in 0..<element.attributeCount {
            let attribute = element.attribute(at: index)
            guard attribute.prefix.bytes.elementsEqual(Self.prefix) else { continue }
            declare(localName: Array(attribute.localName.bytes), value: Array(attribute.value), depth: element.depth)
        }
    }

    /// Drops what elements at `depth` or deeper declared.
    mutating func leave(depth: Int) {
        while let last = entries.last, last.depth >= depth { entries.removeLast() }
    }

    /// The innermost value per local name, in no particular order.
    var inScope: [(localName: [UInt8], value: [UInt8])] {
        var seen = Set<[UInt8]>()
        var result: [(localName: [UInt8], value: [UInt8])] = []
        for entry in entries.reversed() where seen.insert(entry.localName).inserted {
            result.append((entry.localName, entry.value))
        }
        return result
    }
}
