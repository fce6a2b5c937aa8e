import Foundation
import Testing
@testable import XMLSignature
import XMLStreaming

/// libxml2's C14N test suite (`shared/c14n-suite`): input documents and the canonical forms libxml2
/// produces for them, per mode.
///
/// Modes used: `without-comments` (inclusive), `with-comments` (inclusive with comments) and
/// `exc-without-comments` (exclusive). Not used: `1-1-without-comments` (C14N 1.1 is not supported by
/// the canonicalizer — its `xml:base` fix-up and `xml:id` rule differ from 1.0), except as extra input
/// documents for the whole-document comparison with libxml2.
///
/// A case with a `.xpath` file expects the canonical form of a node-set. The canonicalizer can express
/// exactly one kind: the subtree of one element with everything in it (`ancestor-or-self::p:name`), which is
/// what a `ds:SignedInfo` is. Other node-sets (namespace nodes filtered, elements left out, `id()`) and
/// exclusive C14N with an `InclusiveNamespaces` prefix list (`.ns` files) cannot be expressed.
struct C14NSuiteCase: CustomTestStringConvertible, Sendable {
    let mode: String
    let name: String
    let document: [UInt8]
    /// The libxml2 result, when the suite has one for this mode.
    let expected: [UInt8]?
    let xpath: String?
    let hasInclusivePrefixList: Bool

    var testDescription: String { "\(mode)/\(name)" }
    var hasDoctype: Bool { String(decoding: document, as: UTF8.self).contains("<!DOCTYPE") }

    /// The method of a supported mode; `nil` for C14N 1.1.
    var method: CanonicalizationMethod? {
        switch mode {
        case "without-comments": .inclusive
        case "with-comments": .inclusiveWithComments
        case "exc-without-comments": .exclusive
        default: nil
        }
    }

    /// The apex (namespace, local name) when the node-set is `(//. | //@* | //namespace::*)[ancestor-or-self::p:name]`.
    var apex: (namespace: String, localName: String)? {
        guard let xpath else { return nil }
        let withoutComments = xpath.replacingOccurrences(of: #"<!--.*?-->"#, with: "", options: .regularExpression)
        guard let open = withoutComments.range(of: #"<XPath[^>]*>"#, options: .regularExpression),
              let close = withoutComments.range(of: "</XPath>") else { return nil }
        let expression = withoutComments[open.upperBound..<close.lowerBound].filter { !$0.isWhitespace }
        let pattern = #"^\(//\.\|//@\*\|//namespace::\*\)\[ancestor-or-self::(([A-Za-z0-9]+):)?([A-Za-z0-9]+)\]$"#
        guard let match = expression.range(of: pattern, options: .regularExpression) else { return nil }
        let step = String(expression[match]).components(separatedBy: "ancestor-or-self::")[1].dropLast()
        let parts = step.split(separator: ":")
        guard parts.count == 2 else { return ("", String(step)) }
        let declaration = "xmlns:\(parts[0])=\""
        guard let start = withoutComments[open].range(of: declaration) else { return nil }
        let uri = withoutComments[open][start.upperBound...].prefix { $0 != "\"" }
        return (String(uri), String(parts[1]))
    }

    /// Whether the canonicalizer can express what the case selects (whole document or apex subset).
    var expressible: Bool { xpath == nil || (apex != nil && !hasInclusivePrefixList) }

    /// Our canonical form of what the case selects (the whole document, or the apex's subtree).
    func canonicalize(_ method: CanonicalizationMethod) throws -> [UInt8] {
        let buffer = CanonicalBuffer()
        let canonicalizer = StreamingCanonicalizer(method: method, sink: buffer, apex: apex, inherited: [])
        let parser = XMLPushParser(handler: canonicalizer)
        try parser.feed(document)
        try parser.finish()
        canonicalizer.flush()
        return buffer.bytes
    }
}

enum C14NSuite {
    /// `shared/c14n-suite`; records a failure (never a skip) when it is missing.
    static func directory(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let url = Fixtures.sharedDirectory.appendingPathComponent("c14n-suite")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("test/c14n").path) else {
            Issue.record("libxml2's C14N suite is missing at \(url.path) (shared/c14n-suite must sit beside the repository)",
                         sourceLocation: sourceLocation)
            throw CocoaError(.fileNoSuchFile)
        }
        return url
    }

    /// Every input document of every mode, sorted by mode and name; empty (after a recorded failure)
    /// when the suite is missing.
    static let cases: [C14NSuiteCase] = {
        guard let root = try? directory() else { return [] }
        var cases: [C14NSuiteCase] = []
        let manager = FileManager.default
        for mode in ((try? manager.contentsOfDirectory(atPath: root.appendingPathComponent("test/c14n").path)) ?? []).sorted() {
            let folder = root.appendingPathComponent("test/c14n/\(mode)")
            for file in ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where file.hasSuffix(".xml") {
                let name = String(file.dropLast(4))
                func read(_ url: URL) -> Data? { try? Data(contentsOf: url) }
                cases.append(C14NSuiteCase(
                    mode: mode, name: name,
                    document: [UInt8](read(folder.appendingPathComponent(file)) ?? Data()),
                    expected: read(root.appendingPathComponent("result/c14n/\(mode)/\(name)")).map { [UInt8]($0) },
                    xpath: read(folder.appendingPathComponent("\(name).xpath")).map { String(decoding: $0, as: UTF8.self) },
                    hasInclusivePrefixList: manager.fileExists(atPath: folder.appendingPathComponent("\(name).ns").path)))
            }
        }
        return cases
    }()

    /// Cases without a DOCTYPE (the hardened parser refuses DTDs by design).
    static var withoutDoctype: [C14NSuiteCase] { cases.filter { !$0.hasDoctype } }
}
