import Foundation
import Testing
@testable import XMLSignature
import XMLStreaming

/// The canonical form of a document subset (one element's subtree, as `ds:SignedInfo`) must be libxml2's:
/// in-scope namespaces and — inclusive only — the ancestors' `xml:` attributes rendered on the apex.
@Suite struct C14NSubsetTests {
    static func ours(_ document: [UInt8], method: CanonicalizationMethod, apex: (namespace: String, localName: String)) throws -> [UInt8] {
        let buffer = CanonicalBuffer()
        let canonicalizer = StreamingCanonicalizer(method: method, sink: buffer, apex: apex, inherited: [])
        let parser = XMLPushParser(handler: canonicalizer)
        try parser.feed(document)
        try parser.finish()
        canonicalizer.flush()
        return buffer.bytes
    }

    @Test(arguments: CanonicalizationMethod.allCases)
    func subtreesOfGeneratedDocumentsMatchLibxml2(method: CanonicalizationMethod) throws {
        var compared = 0, inheritedXML = 0
        for seed in 1...300 {
            var generator = DocumentGenerator(seed: UInt64(seed))
            let document = Array(generator.document().utf8)
            for index in 2...10 {
                guard let reference = LibXML2SubsetC14N.canonicalize(document, method: method, elementIndex: index) else { continue }
                let ours = try Self.ours(document, method: method, apex: reference.apex)
                compared += 1
                let apexTag = Array(reference.bytes.prefix { $0 != UInt8(ascii: ">") })
                if apexTag.text.contains(" xml:") { inheritedXML += 1 }
                #expect(ours == reference.bytes, """
                    seed \(seed) element \(index) (\(reference.apex.localName)) \(method)
                    ours:    \(ours.text)
                    libxml2: \(reference.bytes.text)
                    document: \(document.text)
                    """)
            }
        }
        #expect(compared > 250, "only \(compared) subsets compared")
        #expect(inheritedXML > 20, "too few subsets exercise xml: attributes on the apex (\(inheritedXML))")
    }

    /// By hand: nearest ancestor wins, the apex's own attribute wins, exclusive inherits nothing.
    @Test func xmlAttributesInheritedByTheApex() throws {
        let document = Array(#"<r xml:lang="zh" xml:base="b/"><a xml:lang="en"><b xml:space="preserve" z="1"><c/></b></a></r>"#.utf8)
        #expect(try Self.ours(document, method: .inclusive, apex: ("", "b")).text
            == #"<b z="1" xml:base="b/" xml:lang="en" xml:space="preserve"><c></c></b>"#)
        #expect(try Self.ours(document, method: .inclusive, apex: ("", "c")).text == #"<c xml:base="b/" xml:lang="en" xml:space="preserve"></c>"#)
        #expect(try Self.ours(document, method: .exclusive, apex: ("", "c")).text == "<c></c>")
        for apex in ["a", "b", "c"] {
            let index = ["r", "a", "b", "c"].firstIndex(of: apex)! + 1
            #expect(try Self.ours(document, method: .inclusive, apex: ("", apex))
                == LibXML2SubsetC14N.canonicalize(document, method: .inclusive, elementIndex: index)?.bytes)
        }
    }
}
