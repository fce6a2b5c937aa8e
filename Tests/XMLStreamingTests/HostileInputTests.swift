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

    // MARK: Start tags are bounded before libxml2 reads them

    /// libxml2 2.9 takes more than 30 s over this tag (its duplicate check is quadratic).
    static let twoHundredThousandAttributes: [UInt8] = {
        var bytes = Array("<?xml version=\"1.0\"?>\n<r".utf8)
        for index in 0..<200_000 { bytes += Array(" a\(index)=\"\"".utf8) }
        return bytes + Array("/>".utf8)
    }()

    @Test func twoHundredThousandAttributesAreRefusedQuickly() {
        let clock = ContinuousClock()
        let started = clock.now
        let (recorder, error) = parse(Self.twoHundredThousandAttributes, chunk: 64 << 10)
        #expect(error?.reason == .attributeCountLimit(32))
        #expect(error?.code == "XML007")
        #expect(error?.position?.line == 2)
        #expect(recorder.events.isEmpty)
        #expect(clock.now - started < .seconds(5), "hang guard")
    }

    @Test func aLongStartTagIsRefusedEvenWithoutAnAttributeLimit() {
        let clock = ContinuousClock()
        let started = clock.now
        let limits = XMLLimits(maxAttributes: .max)
        let (_, error) = parse(Self.twoHundredThousandAttributes, chunk: 1 << 20, limits: limits)
        #expect(error?.reason == .startTagLimit(64 << 10))
        #expect(error?.code == "XML012")
        #expect(error?.description.hasPrefix("2:") == true, "\(String(describing: error))")
        #expect(clock.now - started < .seconds(5), "hang guard")
    }

    /// The scanner counts `=` between one `<` and the next; it relies on libxml2 stopping at
    /// the first `<` inside a start tag, and at an attribute without a value, before it reads on.
    @Test(arguments: [#"="<""#, ""])
    func attributesThatEscapeTheCountStopLibxml2AtTheFirst(value: String) {
        var bytes = Array("<r".utf8)
        for index in 0..<200_000 { bytes += Array(" a\(index)\(value)".utf8) }
        bytes += Array("/>".utf8)
        let clock = ContinuousClock()
        let started = clock.now
        let (_, error) = parse(bytes, chunk: 64 << 10)
        switch error?.reason {
        case .malformed?: break
        case .startTagLimit?: #expect(value.isEmpty)  // no `<` in 64 KiB: the scanner saw it first
        default: Issue.record("got \(String(describing: error))")
        }
        #expect(clock.now - started < .seconds(5), "hang guard")
    }

    @Test func aStartTagSplitIntoOneByteChunksIsStillCounted() {
        let attributes = (0..<33).map { "a\($0)='v'" }.joined(separator: "\n ")
        let (_, error) = parse("<root><r \(attributes)/></root>", chunk: 1)
        #expect(error?.reason == .attributeCountLimit(32))
        let (_, long) = parse("<root><r a='\(String(repeating: "v", count: 300))'/></root>", chunk: 1,
                              limits: XMLLimits(maxStartTagBytes: 256))
        #expect(long?.reason == .startTagLimit(256))
    }

    @Test(arguments: [1, 3, 1 << 16])
    func quotedMarkupDoesNotEndTheTag(chunk: Int) {
        // Were a quoted `>` taken for the tag's end, the 3 attributes after it would go uncounted.
        let tag = #"<r q1="a>b=c" q2='>=">' a="" b="" c=""/>"#
        let (_, refused) = parse(tag, chunk: chunk, limits: XMLLimits(maxAttributes: 4))
        #expect(refused?.reason == .attributeCountLimit(4))
        let (_, tooLong) = parse(#"<r q=">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>" b=""/>"#, chunk: chunk, limits: XMLLimits(maxStartTagBytes: 40))
        #expect(tooLong?.reason == .startTagLimit(40))
        let (recorder, accepted) = parse(tag, chunk: chunk, limits: XMLLimits(maxAttributes: 5))
        #expect(accepted == nil)
        #expect(recorder.events.first == "start:r@1 q1=a>b=c q2=>=\"> a= b= c=")
    }

    @Test(arguments: [1, 2, 1 << 16])
    func markupInCommentsCDATAAndInstructionsStaysHarmless(chunk: Int) {
        // Within the limits (3 attributes, 32 bytes), however long the text around it.
        let fake = "<a b= c= d=>", long = String(repeating: "x", count: 100)
        let text = "<?pi \(fake) ?><r><!-- \(fake)\(long) --><![CDATA[\(fake)\(long)]]><?pi \(fake)\(long)?><!----><![CDATA[]]>\(long)</r>"
        let (recorder, error) = parse(text, chunk: chunk, limits: XMLLimits(maxAttributes: 3, maxStartTagBytes: 32))
        #expect(error == nil)
        #expect(recorder.events == ["start:r@1", "comment: \(fake)\(long) ", "text:\(fake)\(long)", "comment:", "text:\(long)", "end@1"])
    }

    /// The scanner proves most tags short without reading them (aligned windows, `=` counts):
    /// the limits must still hold to the byte wherever a tag falls and however it is cut.
    @Test(arguments: [1, 5, 1 << 16])
    func limitsAreExactAtEveryAlignment(chunk: Int) {
        let limits = XMLLimits(maxAttributes: 4, maxStartTagBytes: 64)
        for padding in 0..<34 {
            let before = "<root>" + String(repeating: " ", count: padding)
            for length in [64, 65] {
                // `<r v="…=>…"/>`, `length` bytes, quoted `=` and `>` inside.
                let value = String(repeating: "=>", count: 32).prefix(length - 9)
                let tag = "<r v=\"\(value)\"/>"
                #expect(tag.utf8.count == length)
                let (_, error) = parse(before + tag + "</root>", chunk: chunk, limits: limits)
                #expect(error?.reason == (length > 64 ? .startTagLimit(64) : nil), "padding \(padding), length \(length)")
            }
            for attributes in [4, 5] {
                let tag = "<r" + (0..<attributes).map { " a\($0)='=>'" }.joined() + "/>"
                let (_, error) = parse(before + tag + "</root>", chunk: chunk, limits: limits)
                #expect(error?.reason == (attributes > 4 ? .attributeCountLimit(4) : nil), "padding \(padding), \(attributes) attributes")
            }
        }
    }

    @Test(arguments: [1, 1 << 16])
    func anUnbalancedQuoteInACommentDoesNotHideTheNextTag(chunk: Int) {
        for hiding in ["<!-- \" -->", "<![CDATA[ ' ]]>", "<?pi \" ?>", "<!-- <a b=\" -->"] {
            let (_, error) = parse("<r>\(hiding)<a x='1' y='2' z='3'/></r>", chunk: chunk, limits: XMLLimits(maxAttributes: 2))
            #expect(error?.reason == .attributeCountLimit(2), "\(hiding)")
        }
    }

    /// The scanner reads a `<` in a comment as if it began a tag (it keeps no state across `<`):
    /// markup-like text there with more `=` than the limit is refused. Pinned, as a choice.
    @Test func markupInACommentWithMoreEqualsThanTheLimitIsRefusedToo() {
        let (_, error) = parse("<r><!-- <a b= c= d=> --></r>", limits: XMLLimits(maxAttributes: 2))
        #expect(error?.reason == .attributeCountLimit(2))
    }

    @Test func aDocumentTypeIsRefusedAtItsLine() {
        let (_, error) = parse("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ATTLIST r a CDATA \">\">]>\n<r/>", chunk: 1)
        #expect(error?.reason == .doctypeForbidden)
        #expect(error?.position?.line == 2)
    }

    @Test func utf16StartTagsAreCountedToo() {
        let attributes = (0..<33).map { "a\($0)=\"中\"" }.joined(separator: " ")
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r \(attributes)/>"
        let littleEndian: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bigEndian: [UInt8] = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [littleEndian, bigEndian] {
            let (_, refused) = parse(bytes, chunk: 3)
            #expect(refused?.reason == .attributeCountLimit(32))
            let (recorder, accepted) = parse(bytes, chunk: 3, limits: XMLLimits(maxAttributes: 33))
            #expect(accepted == nil)
            #expect(recorder.events.first?.hasSuffix("a32=中") == true)
        }
    }

    @Test(arguments: ["UTF-7", "ISO-2022-JP", "HZ-GB-2312", "IBM037"])
    func encodingsTheScannerCannotReadAreRefused(encoding: String) {
        let (_, error) = parse("<?xml version=\"1.0\" encoding=\"\(encoding)\"?><r/>")
        guard case .encoding = error?.reason else { Issue.record("got \(String(describing: error))"); return }
    }

    /// The declaration's spacing and quotes are XML's: blanks around `=`, single quotes, any case.
    @Test(arguments: [
        ("<?xml version='1.0' encoding = 'ibm037'?><r/>", false),
        ("<?xml version=\"1.0\"\n  encoding\t=\"utf-7\" standalone=\"yes\"?><r/>", false),
        ("<?xml version='1.0' encoding = 'utf-8'?><r/>", true),
        ("<?xml version=\"1.0\" encoding=\"gb18030\"?><r/>", true),
        ("<?xml version=\"1.0\"?><r encoding=\"IBM037\"/>", true),
    ])
    func theDeclaredEncodingIsReadAsXMLSpellsIt(text: String, accepted: Bool) {
        let (_, error) = parse(text)
        if accepted {
            #expect(error == nil)
        } else {
            guard case .encoding = error?.reason else { Issue.record("got \(String(describing: error))"); return }
        }
    }

    @Test func aUTF16DocumentCannotSwitchToAByteEncoding() {
        let text = "<?xml version=\"1.0\" encoding=\"GBK\"?><r/>"
        let (_, error) = parse([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        guard case .encoding = error?.reason else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func ebcdicIsRefused() {
        let (_, error) = parse([0x4C, 0x6F, 0xA7, 0x94, 0x93, 0x40])
        guard case .encoding = error?.reason else { Issue.record("got \(String(describing: error))"); return }
    }
}
