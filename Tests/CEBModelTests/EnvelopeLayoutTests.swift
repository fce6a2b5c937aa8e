import CEBModel
import ClearanceTestSupport
import Foundation
import Testing

/// The parts after the documents, as the official schemas order them: receipts without `BaseTransfer`,
/// the signature's place, and the signature customs requires but Clearance adds.
@Suite struct EnvelopeLayoutTests {
    static let signature = #"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>"#

    static func receipt312(baseTransfer: Bool) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC95" version="1.0">
          <ceb:OrderReturn>
            <ceb:guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC94</ceb:guid>
            <ceb:ebpCode>3501960A0B</ceb:ebpCode>
            <ceb:ebcCode>3501960A0C</ceb:ebcCode>
            <ceb:orderNo>ORD1</ceb:orderNo>
            <ceb:returnStatus>120</ceb:returnStatus>
            <ceb:returnTime>20261125093601123</ceb:returnTime>
            <ceb:returnInfo>入库成功</ceb:returnInfo>
          </ceb:OrderReturn>
        \(baseTransfer ? "<ceb:BaseTransfer><ceb:copCode>3501960A0B</ceb:copCode><ceb:copName>x</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>D1</ceb:dxpId></ceb:BaseTransfer>" : "")
        </ceb:CEB312Message>
        """
    }

    @Test func aReceiptWithoutBaseTransferIsRead() throws {
        let (collector, error) = decode(Self.receipt312(baseTransfer: false))
        #expect(error == nil)
        #expect(collector.issues.isEmpty, "\(collector.issues)")
        #expect(collector.documents.count == 1)
        #expect(collector.envelopes.first?.baseTransfer == nil)
        #expect(!MessageCatalog.ceb312.requiresBaseTransfer && MessageCatalog.ceb311.requiresBaseTransfer)
    }

    @Test func aReceiptWithBaseTransferIsReadWithAWarning() throws {
        let (collector, _) = decode(Self.receipt312(baseTransfer: true))
        #expect(collector.issues.map(\.code) == ["WRN004"])
        #expect(collector.issues.allSatisfy { $0.severity == .warning })
        #expect(collector.envelopes.first?.baseTransfer?.copCode == "3501960A0B")
    }

    @Test func aDeclarationStillNeedsBaseTransfer() {
        let text = message311([orderXML()]).replacingOccurrences(of: #"<ceb:BaseTransfer>[\s\S]*</ceb:BaseTransfer>"#, with: "",
                                                                  options: .regularExpression)
        let (collector, _) = decode(text)
        #expect(collector.issues.contains { $0.code == "SCH001" && $0.field == "BaseTransfer" })
    }

    @Test func aSecondBaseTransferIsIgnoredWithAWarning() {
        let block = "<ceb:BaseTransfer><ceb:copCode>OTHER</ceb:copCode><ceb:copName>x</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>D</ceb:dxpId></ceb:BaseTransfer>"
        let (collector, _) = decode(message311([orderXML()], signature: block))
        #expect(collector.issues.map(\.code) == ["WRN004"])
        #expect(collector.envelopes.first?.baseTransfer?.copCode == "3501960A0B")
    }

    @Test func aSignatureBeforeBaseTransferIsAStructuralError() throws {
        let text = message311([orderXML()]).replacingOccurrences(of: "  <ceb:BaseTransfer>", with: Self.signature + "\n  <ceb:BaseTransfer>")
        let (collector, _) = decode(text)
        let issue = try #require(collector.issues.first { $0.code == "SCH010" })
        #expect(issue.severity == .error)
        #expect(issue.message.contains("BaseTransfer must come before ds:Signature"))
    }

    @Test func aSignatureInItsPlaceIsFine() {
        let (collector, _) = decode(message311([orderXML()], signature: Self.signature))
        #expect(collector.issues.isEmpty, "\(collector.issues)")
        #expect(collector.envelopes.first?.hasSignature == true)
    }

    @Test func theSignaturePlaceDiffersBetweenTheFamilies() {
        // Import: ExtendMessage, then ds:Signature. Export: ds:Signature, then ExtendMessage.
        #expect(MessageCatalog.ceb621.envelope.map(\.part) == [.baseTransfer, .baseSubscribe, .extendMessage, .signature])
        #expect(MessageCatalog.ceb603.envelope.map(\.part) == [.baseTransfer, .baseSubscribe, .signature, .extendMessage])
        #expect(MessageCatalog.ceb622.envelope.isEmpty)
        #expect(MessageCatalog.ceb603.partsAfterSignature == [.extendMessage])
        #expect(MessageCatalog.ceb621.partsAfterSignature.isEmpty && MessageCatalog.ceb622.partsAfterSignature.isEmpty)
    }

    @Test func anExportSignatureAfterExtendMessageIsAStructuralError() throws {
        let text = try String(contentsOfFile: Repository.path("samples/valid/CEB603-export-inventory.xml"), encoding: .utf8)
        let extend = "<ceb:ExtendMessage><ceb:name>x</ceb:name><ceb:version>1</ceb:version><ceb:Message/></ceb:ExtendMessage>"
        let last = text.replacingOccurrences(of: "</ceb:CEB603Message>", with: extend + Self.signature + "</ceb:CEB603Message>")
        let (wrong, _) = decode(last)
        #expect(wrong.issues.map(\.code) == ["SCH010"], "\(wrong.issues)")
        let first = text.replacingOccurrences(of: "</ceb:CEB603Message>", with: Self.signature + extend + "</ceb:CEB603Message>")
        #expect(decode(first).0.issues.isEmpty)
    }

    @Test func aMissingRequiredSignatureIsANoticeNotAFault() throws {
        let text = try String(contentsOfFile: Repository.path("samples/unsigned/CEB621-inventory.xml"), encoding: .utf8)
        let (collector, _) = decode(text)
        #expect(MessageCatalog.ceb621.requiresSignature && !MessageCatalog.ceb311.requiresSignature)
        let issue = try #require(collector.issues.first)
        #expect(collector.issues.count == 1)
        #expect(issue.code == "SIG100" && issue.severity == .warning)
        let signed = text.replacingOccurrences(of: "</ceb:CEB621Message>", with: Self.signature + "</ceb:CEB621Message>")
        #expect(decode(signed).0.issues.isEmpty)
    }

    @Test func customsLimitsAreDataNotDecodeErrors() {
        #expect(MessageCatalog.ceb621.customsLimits == CustomsLimits(maxDocuments: 100, maxLinesPerDocument: 99, maxSubscriptions: 5))
        #expect(MessageCatalog.ceb711.customsLimits.maxDocuments == 1)
        #expect(MessageCatalog.ceb607.customsLimits.maxLinesPerDocument == nil)
        #expect(!MessageCatalog.ceb621.customsLimits.accepts(documents: 101, longestDocumentLines: 1))
        #expect(MessageCatalog.ceb621.customsLimits.accepts(documents: 100, longestDocumentLines: 99))
        let orders = (1...101).map { orderXML(orderNo: "ORD\($0)") }
        let (collector, _) = decode(message311(orders))
        #expect(collector.documents.count == 101)
        #expect(collector.issues.isEmpty)
    }

    @Test func theRootNameOfTheOfficialCEB214SampleIsReadWithAWarning() {
        #expect(MessageCatalog.spec(root: "CEB214")?.number == "CEB214")
    }
}
