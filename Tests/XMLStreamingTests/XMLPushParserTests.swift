import Testing
import XMLStreaming

@Suite struct XMLPushParserTests {
    let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0">
          <ceb:Order><ceb:OrderHead><ceb:orderNo>A&amp;B&#x4E2D;</ceb:orderNo><!-- note --><ceb:note><![CDATA[x<y]]></ceb:note></ceb:OrderHead></ceb:Order>
        </ceb:CEB311Message>
        """

    @Test func reportsElementsAttributesTextAndComments() {
        let (recorder, error) = parse(document)
        #expect(error == nil)
        #expect(recorder.events.contains("start:ceb:CEB311Message@1 xmlns:ceb=http://www.chinaport.gov.cn/ceb guid=4CDE1CFD-EDED-46B1-946C-B8022E42FC94 version=1.0"))
        #expect(recorder.events.contains("text:A&B中"))
        #expect(recorder.events.contains("text:x<y"))
        #expect(recorder.events.contains("comment: note "))
        #expect(recorder.events.filter { $0.hasPrefix("end@") }.count == 5)
    }

    @Test func symbolsIdentifyVocabularyNames() {
        let (recorder, error) = parse(document, vocabulary: ["OrderHead", "CEB311Message", "orderNo"])
        #expect(error == nil)
        // CEB311Message, Order (unknown), OrderHead, orderNo, note (unknown)
        #expect(recorder.symbols == [1, -1, 0, 2, -1])
    }

    /// A parser learns name pointers as it meets them, into a table that stops learning when half full:
    /// names met after that (here, after 40 unknown ones) must still get their symbols, every time.
    @Test func symbolsHoldPastTheLearntNames() {
        let unknown = (0..<40).map { "<u\($0)/>" }.joined()
        let known = "<orderNo/><note/><orderNo/><OrderHead/>"
        let (recorder, error) = parse("<CEB311Message>\(unknown)\(known)\(unknown)\(known)</CEB311Message>",
                                      vocabulary: ["OrderHead", "CEB311Message", "orderNo", "note"])
        #expect(error == nil)
        let twice = Array(repeating: Int32(-1), count: 40) + [2, 3, 2, 0]
        #expect(recorder.symbols == [1] + twice + twice)
    }

    @Test func vocabularyLooksNamesUpByTheirBytes() {
        let vocabulary = XMLVocabulary(["a", "ab", "a", "", "中文"])
        #expect(vocabulary.names.count == 5)
        let (recorder, error) = parse("<ab><a/><中文/><abc/><b/></ab>", vocabulary: vocabulary)
        #expect(error == nil)
        #expect(recorder.symbols == [1, 0, 4, -1, -1])
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func chunkBoundariesDoNotChangeEvents(chunk: Int) {
        let (whole, _) = parse(document)
        let (pieces, error) = parse(document, chunk: chunk)
        #expect(error == nil)
        #expect(pieces.events == whole.events)
    }

    @Test func readsUTF8WithByteOrderMark() {
        let (recorder, error) = parse([0xEF, 0xBB, 0xBF] + Array("<a>中文</a>".utf8))
        #expect(error == nil)
        #expect(recorder.events.contains("text:中文"))
    }

    @Test(arguments: ["GBK", "GB18030", "gb2312"])
    func readsChineseLegacyEncodings(encoding: String) {
        // 中文 in GBK / GB18030 / GB2312: D6 D0 CE C4
        let bytes = Array("<?xml version=\"1.0\" encoding=\"\(encoding)\"?><a>".utf8) + [0xD6, 0xD0, 0xCE, 0xC4] + Array("</a>".utf8)
        let (recorder, error) = parse(bytes, chunk: 5)
        #expect(error == nil)
        #expect(recorder.events.contains("text:中文"))
    }

    @Test func invalidUTF8IsAnEncodingErrorWithPosition() {
        let bytes = Array("<a>\n<b>ok</b>\n<c>".utf8) + [0xC3, 0x28] + Array("</c></a>".utf8)
        let (_, error) = parse(bytes)
        guard case .encoding = error?.reason else { Issue.record("expected an encoding error, got \(String(describing: error))"); return }
        #expect(error?.position?.line == 3)
    }

    @Test func malformedDocumentStopsWithPosition() {
        let (_, error) = parse("<a>\n  <b></c>\n</a>")
        guard case .malformed(let why) = error?.reason else { Issue.record("expected malformed, got \(String(describing: error))"); return }
        #expect(why.contains("mismatch"))
        #expect(error?.position?.line == 2)
        #expect(error?.code == "XML001")
    }

    @Test func truncatedDocumentIsRefused() {
        let (_, error) = parse("<a><b>text</b>")
        #expect(error?.reason == .truncated)
    }

    @Test func emptyInputIsRefused() {
        let (_, error) = parse("")
        #expect(error != nil)
    }
}

/// Events recorded on a tape and replayed (how a large batch is parsed on one thread and
/// decoded on another) reach the handler exactly as direct calls do: names, symbols, namespaces,
/// attributes, positions, text, comments and instructions, and the same error after the same events.
@Suite struct EventTapeTests {
    static let documents: [String] = [
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <?pi-before root data?>
        <ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:x="urn:x" guid="4CDE1CFD" version="1.0" x:extra="a&amp;b">
          <ceb:Order><ceb:OrderHead><ceb:orderNo>A&amp;B&#x4E2D;</ceb:orderNo><!-- note --><ceb:note><![CDATA[x<y]]></ceb:note>
          <?inside some data?><x:other x:a="1" b="二"/></ceb:OrderHead></ceb:Order>
        </ceb:CEB311Message>
        """,
        "<r>" + String(repeating: "<e a=\"1\">text</e>", count: 2000) + "</r>",
        "<r><unclosed></r>",
        "<r><a>\(String(repeating: "x", count: 300))</a></r>",
    ]

    @Test(arguments: documents, [1, 7, 4096, 1 << 20])
    func replayMatchesDirectCalls(document: String, chunk: Int) {
        let vocabulary: XMLVocabulary = ["CEB311Message", "orderNo", "http://www.chinaport.gov.cn/ceb", "a", "extra", "e"]
        let limits = XMLLimits(maxTextLength: 200)
        let (direct, directError) = parse(document, chunk: chunk, vocabulary: vocabulary, limits: limits)
        let (replayed, replayedError) = parse(document, chunk: chunk, vocabulary: vocabulary, limits: limits, recording: true)
        #expect(replayed.events == direct.events)
        #expect(replayed.symbols == direct.symbols)
        #expect(replayed.otherSymbols == direct.otherSymbols)
        #expect(replayed.positions == direct.positions)
        #expect(replayed.instructions == direct.instructions)
        #expect(replayedError?.description == directError?.description)
        #expect(!direct.events.isEmpty)
    }

    @Test func theSampleDocumentHasEverything() {
        let (recorder, error) = parse(Self.documents[0], recording: true)
        #expect(error == nil)
        #expect(recorder.instructions == ["pi-before root data", "inside some data"])
        #expect(recorder.events.contains("comment: note "))
        #expect(recorder.events.contains("start:x:other@4 a=1 b=二"))
    }
}
