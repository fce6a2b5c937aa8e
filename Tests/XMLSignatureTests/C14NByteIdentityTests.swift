import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature
import XMLStreaming

/// The streaming canonicalizer must produce exactly libxml2's DOM C14N bytes.
@Suite struct C14NByteIdentityTests {
    static let methods = CanonicalizationMethod.allCases

    /// Streams `document` in chunks of `chunk` bytes through the canonicalizer.
    static func streamed(_ document: [UInt8], method: CanonicalizationMethod, chunk: Int = 1 << 16) throws -> [UInt8] {
        let buffer = CanonicalBuffer()
        let canonicalizer = StreamingCanonicalizer(method: method, sink: buffer)
        let parser = XMLPushParser(handler: canonicalizer)
        var offset = 0
        while offset < document.count {
            let end = min(document.count, offset + chunk)
            try parser.feed(Array(document[offset..<end]))
            offset = end
        }
        try parser.finish()
        canonicalizer.flush()
        return buffer.bytes
    }

    static func expectIdentical(_ document: [UInt8], method: CanonicalizationMethod, chunk: Int = 1 << 16,
                                label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let reference = LibXML2C14N.canonicalize(document, method: method) else {
            Issue.record("libxml2 could not canonicalize \(label)", sourceLocation: sourceLocation)
            return
        }
        let ours = try streamed(document, method: method, chunk: chunk)
        if ours != reference {
            let index = (0..<min(ours.count, reference.count)).first { ours[$0] != reference[$0] } ?? min(ours.count, reference.count)
            let context = { (bytes: [UInt8]) in String(decoding: bytes[max(0, index - 60)..<min(bytes.count, index + 60)], as: UTF8.self) }
            Issue.record("""
                \(label) \(method): differs from libxml2 at byte \(index)
                ours:    \(context(ours))
                libxml2: \(context(reference))
                document: \(String(decoding: document, as: UTF8.self))
                """, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: methods)
    func generatedDocumentsMatchLibxml2(method: CanonicalizationMethod) throws {
        for seed in 1...300 {
            var generator = DocumentGenerator(seed: UInt64(seed))
            let document = Array(generator.document().utf8)
            try Self.expectIdentical(document, method: method, chunk: 1 + seed % 97, label: "seed \(seed)")
        }
    }

    @Test(arguments: methods)
    func handWrittenEdgeCasesMatchLibxml2(method: CanonicalizationMethod) throws {
        let cases = [
            // default namespace undeclared, redeclared, and a redundant redeclaration
            #"<a xmlns="urn:x"><b xmlns=""><c xmlns=""/></b><d xmlns="urn:x"/><e xmlns="urn:y"/></a>"#,
            // prefixed namespaces redeclared to other URIs, used only by attributes
            #"<p:a xmlns:p="urn:p" xmlns:q="urn:q"><b q:z="1" p:y="2" x="3"><p:c xmlns:p="urn:other" p:k="v"/></b></p:a>"#,
            // attributes in odd orders and namespaces, xml: attributes, character references in attributes
            #"<r xmlns:b="urn:b" xmlns:a="urn:a" z="&#9;t" b:y="&#13;" a:y="&#10;" xml:lang="zh" y="&lt;&quot;&gt;" c="it's">x</r>"#,
            // comments and PIs inside and outside the root, whitespace around
            "<?xml version=\"1.0\"?>\n<!-- before -->\n<?pi before?>\n<r><!-- in --><?pi in?>t</r>\n<!-- after --><?pi after?>\n",
            // CDATA, character references, CR in text, non-ASCII
            "<r><![CDATA[<&>\"]]>&#13;&#x9;&#xD;&amp;中文\u{1F600}</r>",
            // empty elements and whitespace in tags
            "<r\n  a = \"1\"\n><e/><e  /><e></e></r>",
        ]
        for (index, text) in cases.enumerated() {
            try Self.expectIdentical(Array(text.utf8), method: method, label: "case \(index)")
        }
    }

    /// The repository's sample messages (`samples/valid/*.xml`), when present.
    @Test(arguments: methods)
    func repositorySamplesMatchLibxml2(method: CanonicalizationMethod) throws {
        for file in Repository.validSamples {
            let document = try Repository.sample(file)
            try Self.expectIdentical(document, method: method, chunk: 4096, label: file)
        }
    }

    @Test func knownCanonicalForms() throws {
        // Whole-document rules checked by hand against the C14N recommendation.
        let document = "<?xml version=\"1.0\"?>\n\n<!--c-->\n<a xmlns=\"urn:x\" b='2' a=\"1\"><b xmlns=\"\"/><c>&#13;&gt;</c></a>\n<?p?>"
        let canonical = try StreamingCanonicalizer.canonicalize(Array(document.utf8), method: .inclusive)
        #expect(String(decoding: canonical, as: UTF8.self) == "<a xmlns=\"urn:x\" a=\"1\" b=\"2\"><b xmlns=\"\"></b><c>&#xD;&gt;</c></a>\n<?p?>")
        let withComments = try StreamingCanonicalizer.canonicalize(Array(document.utf8), method: .inclusiveWithComments)
        #expect(String(decoding: withComments, as: UTF8.self).hasPrefix("<!--c-->\n<a "))
        let exclusive = try StreamingCanonicalizer.canonicalize(Array(#"<p:a xmlns:p="urn:p" xmlns:q="urn:q"><b/></p:a>"#.utf8), method: .exclusive)
        #expect(String(decoding: exclusive, as: UTF8.self) == #"<p:a xmlns:p="urn:p"><b></b></p:a>"#)
    }

    @Test func digestOfFileStreamsTheCanonicalForm() throws {
        var generator = DocumentGenerator(seed: 4242)
        let document = Array(generator.document().utf8)
        let scratch = try ScratchDirectory()
        let path = try scratch.write("doc.xml", document)
        let reference = try #require(LibXML2C14N.canonicalize(document, method: .inclusive))
        let digest = try StreamingCanonicalizer.digest(path: path, method: .inclusive, algorithm: .sha256)
        #expect(digest == DigestAlgorithm.sha256.digest(reference))
    }
}

extension C14NByteIdentityTests {
    /// The generator must really produce what the identity test claims to cover.
    @Test func generatorCoversTheInterestingConstructs() {
        var all = ""
        for seed in 1...300 {
            var generator = DocumentGenerator(seed: UInt64(seed))
            all += generator.document()
        }
        for construct in ["xmlns=\"\"", "xmlns:", "<![CDATA[", "&#13;", "&#9;", "<!--", "<?pi", "中文", "xml:", "\r\n", "=''", "/>"] where construct != "=''" {
            #expect(all.contains(construct), "generated documents never contain \(construct)")
        }
    }

    /// A processing instruction's string value excludes the whitespace after its target but keeps trailing
    /// whitespace (XPath data model), so C14N writes `<?target?>` when it is empty and `<?target data  ?>`
    /// otherwise — exactly what libxml2 2.9 writes (`xmllint --c14n` gives the same bytes).
    @Test(arguments: CanonicalizationMethod.allCases)
    func processingInstructionsWithoutDataHaveNoSpace(method: CanonicalizationMethod) throws {
        let document = "<?a ?>\n<r><?pi ?><?pi\t\n ?><?pi?><?pi data  ?><?pi \t data x?></r>\n<?z   ?>"
        let canonical = try StreamingCanonicalizer.canonicalize(Array(document.utf8), method: method)
        #expect(String(decoding: canonical, as: UTF8.self)
            == "<?a?>\n<r><?pi?><?pi?><?pi?><?pi data  ?><?pi data x?></r>\n<?z?>")
        try Self.expectIdentical(Array(document.utf8), method: method, label: "processing instructions")
    }

    /// A namespace URI holding `&` is escaped as the C14N recommendation requires (libxml2 writes it raw,
    /// producing output that is not well-formed): the one documented divergence from libxml2.
    @Test func namespaceURIsAreEscapedLikeAttributeValues() throws {
        let canonical = try StreamingCanonicalizer.canonicalize(Array(#"<a xmlns="urn:x?a=1&amp;b=2"/>"#.utf8))
        #expect(String(decoding: canonical, as: UTF8.self) == #"<a xmlns="urn:x?a=1&amp;b=2"></a>"#)
    }
}
