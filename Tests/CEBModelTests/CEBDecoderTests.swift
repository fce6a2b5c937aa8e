import Foundation
import CEBModel
import Testing
import XMLStreaming

@Suite struct CEBDecoderTests {
    @Test func decodesTypedOrdersAsTheyClose() throws {
        let (collector, error) = decode(message311([orderXML(orderNo: "A1"), orderXML(orderNo: "A2")]), chunk: 97)
        #expect(error == nil)
        #expect(collector.documents.count == 2)
        guard case .order(let order) = collector.documents[1].0 else { Issue.record("expected an order"); return }
        #expect(order.head.orderNo == "A2")
        #expect(order.head.buyerName == "林小明")
        #expect(order.head.acturalPaid == CEBDecimal("337.51"))
        #expect(order.lines.count == 2)
        #expect(order.lines[0].itemName == "高山乌龙茶")
        #expect(order.lines[0].qty == CEBDecimal(2))
        #expect(collector.documents[1].1.index == 1)
        #expect(collector.documents[1].1.key == "orderNo=A2")
        #expect(collector.issues.isEmpty, "\(collector.issues)")
        let envelope = try #require(collector.envelopes.first)
        #expect(envelope.baseTransfer?.copCode == "3501960A0B")
        #expect(envelope.header.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        #expect(envelope.documentCount == 2)
        #expect(!envelope.hasSignature)
    }

    @Test func missingRequiredFieldIsReportedWithPosition() throws {
        let (collector, _) = decode(message311([orderXML(head: ["orderNo": nil])]))
        let issue = try #require(collector.issues.first { $0.code == "SCH001" })
        #expect(issue.field == "orderNo")
        #expect(issue.documentIndex == 0)
        #expect(issue.line == 3)
    }

    @Test func fieldProblemsCarryFieldLineAndColumn() throws {
        let (collector, _) = decode(message311([orderXML(head: ["goodsValue": "3x0", "appTime": "20261325093000", "appType": "7"])]))
        let decimal = try #require(collector.issues.first { $0.code == "SCH004" })
        #expect(decimal.field == "goodsValue")
        #expect(decimal.line != nil && decimal.column != nil)
        #expect(decimal.key == "orderNo=ORD20261125001")
        #expect(collector.issues.contains { $0.code == "RUL011" && $0.field == "appTime" })
        #expect(collector.issues.contains { $0.code == "SCH003" && $0.field == "appType" })
    }

    @Test func tooLongValueIsCountedInCharacters() {
        let (collector, _) = decode(message311([orderXML(head: ["orderNo": String(repeating: "订", count: 61)])]))
        #expect(collector.issues.contains { $0.code == "SCH002" && $0.field == "orderNo" })
        let (fine, _) = decode(message311([orderXML(head: ["orderNo": String(repeating: "订", count: 30)])]))
        #expect(!fine.issues.contains { $0.code == "SCH002" })
    }

    @Test func unexpectedElementsAreReportedAndSkipped() {
        let (collector, error) = decode(message311([orderXML(head: ["bogus": "x"], extraLine: "<ceb:Surprise><ceb:a>1</ceb:a></ceb:Surprise>")]))
        #expect(error == nil)
        #expect(collector.documents.count == 1)
        #expect(collector.issues.filter { $0.code == "SCH007" }.count == 2)
    }

    /// A hostile message of stray elements costs parse time, not one issue each: 100 are reported
    /// per document and per message, then one LIM002, whatever the count (25 million once made 5.9 GB).
    @Test(arguments: [CEBDecoder.Threading.inline, .parserThread])
    func strayElementsAreReportedUpToTheLimit(threading: CEBDecoder.Threading) throws {
        let stray = String(repeating: "<ceb:Stray/>", count: 5_000)
        let text = message311([orderXML(extraLine: stray), orderXML(orderNo: "A2")]).replacingOccurrences(
            of: "  <ceb:BaseTransfer>", with: stray + "\n  <ceb:BaseTransfer>")
        let collector = Collector()
        let decoder = CEBDecoder(threading: threading, sink: collector)
        try decoder.feed(Array(text.utf8))
        try decoder.finish()
        #expect(collector.documents.count == 2)
        let first = collector.documents[0].1.issues, second = collector.documents[1].1.issues
        #expect(first.filter { $0.code == "SCH007" }.count == 100)
        #expect(first.filter { $0.code == "LIM002" }.count == 1)
        #expect(second.isEmpty, "\(second)")
        let envelope = try #require(collector.envelopes.first)
        #expect(envelope.issues.filter { $0.code == "SCH007" }.count == 100)
        #expect(envelope.issues.filter { $0.code == "LIM002" }.count == 1)
        #expect(envelope.baseTransfer?.copCode == "3501960A0B")
    }

    @Test func unknownMessageIsReported() {
        let (collector, error) = decode("<ceb:CEB999Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"><ceb:Order/></ceb:CEB999Message>")
        #expect(error == nil)
        #expect(collector.documents.isEmpty)
        #expect(collector.issues.contains { $0.code == "SCH009" })
    }

    @Test func wrongNamespaceIsReported() {
        let (collector, _) = decode("<CEB311Message><Order/></CEB311Message>")
        #expect(collector.issues.contains { $0.code == "SCH009" })
    }

    @Test func lowerCaseGuidIsAWarning() throws {
        let (collector, _) = decode(message311([orderXML()], guid: "4cde1cfd-eded-46b1-946c-b8022e42fc94"))
        let issue = try #require(collector.issues.first { $0.code == "WRN001" })
        #expect(issue.severity == .warning)
    }

    @Test func moreLinesThanCustomsTakesIsAWarningAtTheDocument() throws {
        func order(_ orderNo: String, lines: Int) -> String {
            let extra = (3...lines).map { gnum in
                "<ceb:OrderList><ceb:gnum>\(gnum)</ceb:gnum><ceb:itemNo>I\(gnum)</ceb:itemNo><ceb:itemName>茶</ceb:itemName><ceb:unit>011</ceb:unit><ceb:qty>1</ceb:qty><ceb:price>0</ceb:price><ceb:totalPrice>0</ceb:totalPrice><ceb:currency>142</ceb:currency><ceb:country>143</ceb:country></ceb:OrderList>"
            }
            return orderXML(orderNo: orderNo, extraLine: extra.joined())
        }
        let (collector, error) = decode(message311([order("AT99", lines: 99), order("AT100", lines: 100)]))
        #expect(error == nil)
        #expect(collector.documents.count == 2)
        #expect(!collector.documents[0].1.issues.contains { $0.code == "WRN007" }, "99 lines is what customs takes")
        let issue = try #require(collector.documents[1].1.issues.first { $0.code == "WRN007" })
        #expect(issue.severity == .warning && issue.key == "orderNo=AT100" && issue.field == "OrderList")
        #expect(issue.message.contains("100 OrderList lines") && issue.message.contains("at most 99"), "\(issue.message)")
    }

    @Test func oversizedDocumentIsReportedAndTheNextStillDecoded() {
        let limits = CEBLimits(maxDocumentBytes: 4096, maxLinesPerDocument: 1)
        let (collector, error) = decode(message311([orderXML(orderNo: "BIG"), orderXML(orderNo: "NEXT")]), limits: limits)
        #expect(error == nil)
        #expect(collector.documents.count == 2)
        #expect(collector.documents[0].1.issues.contains { $0.code == "LIM001" })
        #expect(collector.documents[1].1.issues.contains { $0.code == "LIM001" })
    }

    @Test func signatureIsNoticedAndSkipped() throws {
        let signature = "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/></ds:Signature>"
        let (collector, _) = decode(message311([orderXML(head: ["appStatus": "2"])], signature: signature))
        let envelope = try #require(collector.envelopes.first)
        #expect(envelope.hasSignature)
        #expect(envelope.declaredDocumentCount == 1)
    }

    @Test func malformedXMLStopsButKeepsEarlierDocuments() {
        let text = message311([orderXML(orderNo: "OK1"), orderXML(orderNo: "OK2")]).replacingOccurrences(of: "</ceb:BaseTransfer>", with: "</ceb:BaseTransfr>")
        let (collector, error) = decode(text)
        #expect(error != nil)
        #expect(error?.code == "XML001")
        #expect(collector.documents.count == 2)
    }
}
