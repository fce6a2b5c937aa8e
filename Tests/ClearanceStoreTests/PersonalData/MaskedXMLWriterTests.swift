import ClearanceTestSupport
import ClearanceStore
import Foundation
import Testing

/// The streaming masker, checked against xmllint: its output is well-formed, has the input's
/// structure, and carries no ID or telephone number however the input wrote it.
@Suite struct MaskedXMLWriterTests {
    static let id = "350521199001014965", maskedID = "3505**********4965"
    static let phone = "13512341394", maskedPhone = "135****1394"

    static func document(_ body: String, declaration: String = #"<?xml version="1.0" encoding="UTF-8"?>"#) -> String {
        declaration + "\n" + #"<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94">"#
            + body + "</ceb:CEB311Message>"
    }

    /// Masks `input` and checks the output parses; returns it as text.
    static func masked(_ input: [UInt8], chunk: Int = 1 << 16) throws -> String {
        var output: [UInt8] = []
        let writer = MaskedXMLWriter { output += $0 }
        var offset = 0
        while offset < input.count {
            try writer.feed(Array(input[offset..<min(input.count, offset + chunk)]))
            offset += chunk
        }
        try writer.finish()
        let lint = try xmllint(["--noout", "-"], output)
        #expect(lint.status == 0, "not well-formed: \(lint.output)")
        return String(decoding: output, as: UTF8.self)
    }

    static func masked(_ text: String, chunk: Int = 1 << 16) throws -> String { try masked(Array(text.utf8), chunk: chunk) }

    @Test(arguments: [1, 3, 1 << 16])
    func personalDataElementsAreMaskedWhateverTheirLexicalForm(chunk: Int) throws {
        let body = """
            <ceb:buyerIdNumber><![CDATA[\(Self.id)]]></ceb:buyerIdNumber>
            <ceb:payerIdNumber>&#51;50521&#x31;99001014965</ceb:payerIdNumber>
            <idNumber>3505211990<![CDATA[0101]]>4965</idNumber>
            <ceb:buyerTelephone>\r\n\(Self.phone)\r\n</ceb:buyerTelephone>
            <ceb:consigneeTelephone>+86 135 1234 1394</ceb:consigneeTelephone>
            <ceb:ebcTelephone/>
            """
        let output = try Self.masked(Self.document(body), chunk: chunk)
        #expect(!output.contains("1234") && !output.contains("19900101") && !output.contains("]]>"), "\(output)")
        #expect(output.contains("<ceb:buyerIdNumber>\(Self.maskedID)</ceb:buyerIdNumber>"))
        #expect(output.contains("<ceb:payerIdNumber>\(Self.maskedID)</ceb:payerIdNumber>"))
        #expect(output.contains("<idNumber>\(Self.maskedID)</idNumber>"))
        #expect(output.contains("<ceb:buyerTelephone>\(Self.maskedPhone)</ceb:buyerTelephone>"))
        #expect(output.contains("<ceb:consigneeTelephone>+86**********1394</ceb:consigneeTelephone>"))
        #expect(output.contains("<ceb:ebcTelephone/>"))
    }

    @Test func commentsAndInstructionsAreDropped() throws {
        let output = try Self.masked(Self.document("<!-- buyer \(Self.id) tel \(Self.phone) --><?audit \(Self.id)?><ceb:note>x</ceb:note>"))
        #expect(!output.contains(Self.id) && !output.contains(Self.phone) && !output.contains("<!--"))
        #expect(output.contains("<ceb:note>x</ceb:note>"))
    }

    @Test func otherTextAndAttributesAreScrubbed() throws {
        let body = """
            <ceb:note a="tel \(Self.phone)">身份证\(Self.id)，电话+86\(Self.phone)；旧证350521900101496</ceb:note>\r
            <ceb:note>&#49;3512341394 <![CDATA[\(Self.id)]]></ceb:note>
            <ceb:appTime>20261125101112</ceb:appTime><ceb:orderNo>PT202611250001</ceb:orderNo><ceb:amount>742.00</ceb:amount>
            """
        let output = try Self.masked(Self.document(body))
        #expect(!output.contains(Self.id) && !output.contains(Self.phone) && !output.contains("900101"), "\(output)")
        #expect(output.contains(#"a="tel \#(Self.maskedPhone)""#))
        #expect(output.contains("身份证\(Self.maskedID)，电话+86\(Self.maskedPhone)；旧证35***********96</ceb:note>"))
        #expect(output.contains("<ceb:note>\(Self.maskedPhone) \(Self.maskedID)</ceb:note>"))
        #expect(output.contains("<ceb:appTime>20261125101112</ceb:appTime><ceb:orderNo>PT202611250001</ceb:orderNo><ceb:amount>742.00</ceb:amount>"))
    }

    @Test func gbkDocumentsComeOutAsUTF8() throws {
        // 身份证 and ，电话 in GBK, as Python's codecs encode them ('身份证'.encode('gbk')).
        let idCard: [UInt8] = [201, 237, 183, 221, 214, 164], telephone: [UInt8] = [163, 172, 181, 231, 187, 176]
        let document = Self.document("<ceb:note>", declaration: #"<?xml version="1.0" encoding="GBK"?>"#)
        let head = Array(document.utf8.dropLast("</ceb:CEB311Message>".utf8.count))
        let bytes = head + idCard + Array(Self.id.utf8) + telephone + Array(Self.phone.utf8) + Array("</ceb:note></ceb:CEB311Message>".utf8)
        let output = try Self.masked(bytes, chunk: 7)
        #expect(output.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(output.contains("<ceb:note>身份证\(Self.maskedID)，电话\(Self.maskedPhone)</ceb:note>"), "\(output)")
    }

    @Test func utf16DocumentsWithByteOrderMarkComeOutAsUTF8() throws {
        let text = Self.document("<ceb:buyerIdNumber>\(Self.id)</ceb:buyerIdNumber><ceb:note>电话\(Self.phone)</ceb:note>",
                                 declaration: #"<?xml version="1.0" encoding="UTF-16"?>"#)
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let output = try Self.masked(bytes, chunk: 5)
        #expect(output.contains("<ceb:buyerIdNumber>\(Self.maskedID)</ceb:buyerIdNumber><ceb:note>电话\(Self.maskedPhone)</ceb:note>"))
    }

    @Test func namespacesPrefixesAndEscapesSurvive() throws {
        let input = #"<r xmlns="urn:d" xmlns:p="urn:p" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="p:T" p:a="&lt;&amp;&quot;'&#9;"><p:x>a &lt; b &amp;&amp; c &gt; d&#13;</p:x><y xmlns=""/></r>"#
        let output = try Self.masked(input)
        // Canonical XML of input and output agree: same names, namespaces, attributes and text.
        let before = try xmllint(["--c14n", "-"], Array(input.utf8)), after = try xmllint(["--c14n", "-"], Array(output.utf8))
        #expect(before.status == 0 && after.status == 0)
        #expect(before.output == after.output, "\(output)")
    }

    @Test func theSampleOrderKeepsItsCanonicalFormApartFromTheMaskedValues() throws {
        let input = try Repository.sample("CEB311-order.xml")
        let output = try Self.masked(input)
        let expected = String(decoding: try xmllint(["--c14n", "-"], input).output, as: UTF8.self)
            .replacingOccurrences(of: "350128199003070024", with: "3501**********0024")
            .replacingOccurrences(of: "13905912345", with: "139****2345")
        #expect(String(decoding: try xmllint(["--c14n", "-"], Array(output.utf8)).output, as: UTF8.self) == expected)
    }

    @Test func everyValidSampleIsMaskedWellFormedAndWhole() throws {
        for name in Repository.validSamples {
            let input = try Repository.sample(name)
            let output = try Self.masked(input)
            let count = ["--xpath", "count(//*)", "-"]
            #expect(try xmllint(count, input).output == (try xmllint(count, Array(output.utf8))).output, "\(name)")
            // Every value of an ID or telephone element in the input is gone from the output.
            let text = try xmllint(["--xpath", "//*[contains(local-name(), 'IdNumber') or contains(local-name(), 'Telephone')]/text()", "-"], input)
            for value in String(decoding: text.output, as: UTF8.self).split(whereSeparator: \.isNewline) where value.count >= 7 {
                #expect(!output.contains(value), "\(name): \(value)")
            }
        }
    }

    @Test(arguments: [4096, 1 << 20])
    func outputStreamsAndStaysBounded(chunk: Int) throws {
        let order = "<ceb:Order><ceb:buyerIdNumber>\(Self.id)</ceb:buyerIdNumber><ceb:note>电话\(Self.phone)</ceb:note><ceb:orderNo>PT0001</ceb:orderNo></ceb:Order>\n"
        let input = Array(Self.document(String(repeating: order, count: 40_000)).utf8)  // 6 MB
        var fed = 0, outputWhenHalfFed: Int?, largestChunk = 0
        var output: [UInt8] = []
        let writer = MaskedXMLWriter { chunk in
            largestChunk = max(largestChunk, chunk.count)
            output += chunk
        }
        while fed < input.count {
            if outputWhenHalfFed == nil, fed >= input.count / 2 { outputWhenHalfFed = output.count }
            let start = fed
            fed = min(input.count, fed + chunk)
            try writer.feed(Array(input[start..<fed]))
        }
        try writer.finish()
        #expect(input.count > 5_000_000)
        // Half the input in, well over a third of the output is out; never more than 64 KiB held.
        #expect((outputWhenHalfFed ?? 0) > input.count / 3)
        #expect(largestChunk < 80 << 10)
        let text = String(decoding: output, as: UTF8.self)
        #expect(output.count > 5_000_000 && !text.contains(Self.id) && !text.contains(Self.phone))
        #expect(try xmllint(["--noout", "-"], output).status == 0)
    }

    @Test func malformedInputIsAnError() {
        #expect(throws: (any Error).self) { try MaskedXMLWriter.mask(Array("<a><b></a>".utf8)) }
        #expect(throws: (any Error).self) { try MaskedXMLWriter.mask(Array("<a>".utf8)) }
    }
}

/// Runs xmllint with `input` on standard input.
func xmllint(_ arguments: [String], _ input: [UInt8]) throws -> (status: Int32, output: [UInt8]) {
    let ran = try CommandRunner.runBlocking("xmllint", arguments, input: .bytes(input), timeout: 120)
    return (ran.status, ran.outputBytes)
}
