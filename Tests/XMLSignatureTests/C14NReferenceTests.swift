import CLibXML2
import Foundation
import Testing
import XMLSignature

/// libxml2's DOM canonicalizer (`xmlC14NDocDumpMemory`), the reference the streaming one must match.
enum LibXML2C14N {
    /// Parses with the streaming parser's options (NOENT | NOCDATA | NONET) and canonicalizes the whole document.
    static func canonicalize(_ document: [UInt8], method: CanonicalizationMethod) -> [UInt8]? {
        let options = Int32(XML_PARSE_NOENT.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NONET.rawValue)
        let doc: xmlDocPtr? = document.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { xmlReadMemory($0.baseAddress, Int32($0.count), nil, nil, options) }
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        var output: UnsafeMutablePointer<xmlChar>?
        let mode = Int32(method.isExclusive ? XML_C14N_EXCLUSIVE_1_0.rawValue : XML_C14N_1_0.rawValue)
        let length = xmlC14NDocDumpMemory(doc, nil, mode, nil, method.keepsComments ? 1 : 0, &output)
        guard length >= 0, let output else { return nil }
        defer { free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}

/// Random well-formed documents exercising what C14N normalizes: namespaces (default, prefixed,
/// redeclared, undeclared), attributes in odd orders and in namespaces, character references,
/// CDATA, comments, PIs, non-ASCII text and whitespace outside the root.
struct DocumentGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    private mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    private mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    static let uris = ["http://www.chinaport.gov.cn/ceb", "urn:a", "urn:b", "http://example.com/x?y=1;z=2"]
    static let prefixes = ["ceb", "p", "q", "xsi"]
    static let texts = [
        "plain", "A&amp;B", "1 &lt; 2 &gt; 0", "line&#13;break", "tab&#9;here", "中文 商品", "\"quoted\" 'single'",
        "<![CDATA[x < y && z > \"w\"]]>", "  spaced  \n  lines  ", "&#x4E2D;&#20013;", "]]&gt;", "a\r\nb",
    ]
    static let attributeValues = [
        "v", "a&amp;b", "&lt;tag&gt;", "&quot;q&quot;", "it's", "tab&#9;x", "cr&#13;x", "lf&#10;x", "literal\ttab",
        "literal\nline", "中文", "  spaces  ", "&#x20AC;", ">",
    ]

    mutating func document() -> String {
        var out = ""
        if chance(50) { out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + pick(["\n", "", "\n\n"]) }
        out += misc()
        var scope: [String: String] = [:]
        out += element(depth: 1, scope: &scope)
        out += misc()
        if chance(30) { out += "\n" }
        return out
    }

    private mutating func misc() -> String {
        var out = ""
        for _ in 0..<int(3) {
            switch int(3) {
            case 0: out += "<!-- outside \(int(100)) -->"
            case 1: out += "<?app-pi data \(int(9))?>"
            default: out += pick([" ", "\n", "\t\n  "])
            }
        }
        return out
    }

    private mutating func element(depth: Int, scope: inout [String: String]) -> String {
        var inner = scope
        var declarations: [String] = []
        for _ in 0..<(depth == 1 ? 1 + int(3) : (chance(30) ? 1 + int(2) : 0)) {
            switch int(4) {
            case 0: declarations.append("xmlns=\"\(pick(Self.uris))\"")
            case 1 where inner[""] != nil && inner[""] != "": declarations.append("xmlns=\"\"")
            case 2 where !inner.isEmpty:
                let (prefix, uri) = pick(inner.sorted { $0.key < $1.key })
                declarations.append(prefix.isEmpty ? "xmlns=\"\(uri)\"" : "xmlns:\(prefix)=\"\(uri)\"")
            default: declarations.append("xmlns:\(pick(Self.prefixes))=\"\(pick(Self.uris))\"")
            }
        }
        var declared = Set<String>()
        declarations = declarations.filter { declared.insert(String($0.prefix { $0 != "=" })).inserted }
        for declaration in declarations {
            let name = String(declaration.prefix { $0 != "=" })
            let prefix = name == "xmlns" ? "" : String(name.dropFirst(6))
            let rawURI = String(declaration.drop { $0 != "\"" }.dropFirst().dropLast())
            inner[prefix] = rawURI
        }
        let bound = inner.filter { !$0.key.isEmpty }.map(\.key).sorted()
        let prefix = !bound.isEmpty && chance(50) ? pick(bound) + ":" : ""
        let name = prefix + pick(["Order", "orderNo", "goodsInfo", "amount", "名称", "x"])
        var attributes: [String] = []
        var locals = Set<String>()
        for _ in 0..<int(5) {
            let local = pick(["b", "a", "id", "z", "guid", "lang", "A", "é"])
            guard locals.insert(local).inserted else { continue }
            var attributePrefix = ""
            if !bound.isEmpty && chance(40) { attributePrefix = pick(bound) + ":" }
            if chance(10) && local != "id" { attributePrefix = "xml:" }  // xml:id must be an NCName
            // Two prefixes bound to one URI would make p:a and q:a the same attribute: keep one prefix per local.
            attributes.append("\(attributePrefix)\(local)=\(pick(["\"", "'"]))\(pick(Self.attributeValues))")
        }
        attributes = attributes.map { attribute in
            let quote = attribute.contains("='") ? "'" : "\""
            let value = attribute.drop { $0 != "=" }.dropFirst(2)
            let escaped = quote == "'" ? value.replacingOccurrences(of: "'", with: "&apos;") : value.replacingOccurrences(of: "\"", with: "&quot;")
            return attribute.prefix { $0 != "=" } + "=" + quote + escaped + quote
        }
        let openParts = (declarations + attributes).shuffled(using: &self)
        var out = "<\(name)" + openParts.map { pick([" ", "\n  ", "\t"]) + $0 }.joined() + pick(["", " ", "\n"])
        if depth >= 5 || chance(15) {
            return out + "/>"
        }
        out += ">"
        for _ in 0..<int(5) {
            switch int(6) {
            case 0, 1: out += element(depth: depth + 1, scope: &inner)
            case 2: out += pick(Self.texts)
            case 3: out += "<!--c \(pick(["x", "中", "a-b", " "]))-->"
            case 4: out += "<?pi-\(int(3)) some data?>"
            default: out += pick(["\n  ", " ", "\r\n"])
            }
        }
        return out + "</\(name)>"
    }
}

extension DocumentGenerator: RandomNumberGenerator {}
