import Testing
import XMLStreaming

/// Every class of hostile input is refused with a position, never a crash or a hang.
@Suite struct HostileInputTests {
    @Test func billionLaughsIsRefusedAtTheDoctype() {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
            <lolz>&lol2;</lolz>
            """
        let (recorder, error) = parse(bomb)
        #expect(error?.reason == .doctypeForbidden)
        #expect(error?.position?.line == 2)
        #expect(recorder.events.isEmpty)
    }

    @Test func externalEntityIsRefused() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <r>&xxe;</r>
            """
        let (recorder, error) = parse(xxe)
        #expect(error?.reason == .doctypeForbidden)
        #expect(!recorder.events.joined().contains("root:"))
    }

    @Test func externalDTDIsRefused() {
        let (_, error) = parse("<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"http://example.invalid/r.dtd\">\n<r/>")
        #expect(error?.reason == .doctypeForbidden)
    }

    @Test func undeclaredEntityIsRefused() {
        let (_, error) = parse("<r>\n&nbsp;</r>")
        guard case .entityForbidden = error?.reason else { Issue.record("got \(String(describing: error))"); return }
        #expect(error?.position?.line == 2)
    }

    @Test func deepNestingIsRefused() {
        let depth = 100
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let (_, error) = parse(text, limits: XMLLimits(maxDepth: 50))
        #expect(error?.reason == .depthLimit(50))
        #expect(error?.position != nil)
    }

    @Test func longTextIsRefused() {
        let text = "<a>" + String(repeating: "x", count: 5000) + "</a>"
        let (_, error) = parse(text, chunk: 100, limits: XMLLimits(maxTextLength: 1000))
        #expect(error?.reason == .textLimit(1000))
    }

    @Test func tooManyAttributesAreRefused() {
        let attributes = (0..<40).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let (_, error) = parse("<r \(attributes)/>")
        #expect(error?.reason == .attributeCountLimit(32))
    }

    @Test func longAttributeIsRefused() {
        let (_, error) = parse("<r a=\"\(String(repeating: "v", count: 3000))\"/>", limits: XMLLimits(maxAttributeLength: 2048))
        #expect(error?.reason == .attributeLengthLimit(2048))
    }

    @Test func neverEndingTagIsRefusedWithBoundedMemory() {
        let parser = XMLPushParser(limits: XMLLimits(maxPendingBytes: 1 << 20), handler: Recorder())
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var failure: XMLStreamError?
        do throws(XMLStreamError) {
            try parser.feed(Array("<root><".utf8))
            for _ in 0..<1000 { try parser.feed(chunk) }  // 64 MB of one tag name, at most
        } catch {
            failure = error
        }
        #expect(failure != nil)
    }

    @Test func processingInstructionsAndCommentsAreHarmless() {
        let (recorder, error) = parse("<?xml-stylesheet href=\"x\"?><!--c--><r/>")
        #expect(error == nil)
        #expect(recorder.events.contains("comment:c"))
    }
}
