import CEBModel
import ClearanceTestSupport
import Foundation
import Testing

/// Collects a decoder's output for the sample tests.
private final class SampleSink: CEBDocumentSink {
    var documents: [(CEBDocument, DocumentContext)] = []
    var envelopes: [MessageEnvelope] = []

    func messageStarted(_ header: MessageHeader) {}
    func document(_ decode: () -> CEBDocument, context: DocumentContext) { documents.append((decode(), context)) }
    func messageFinished(_ envelope: MessageEnvelope) { envelopes.append(envelope) }

    /// Every issue found, as code, whether it is an error, and its text.
    var issues: [(code: String, isError: Bool, text: String)] {
        let found = documents.flatMap { document in document.1.issues.map { ($0.code, $0.severity == .error, "\($0)") } }
            + envelopes.flatMap { envelope in envelope.issues.map { ($0.code, $0.severity == .error, "\($0)") } }
        return found.map { (code: $0.0, isError: $0.1, text: $0.2) }
    }
}

/// Decodes a sample file in 1 KiB chunks.
private func decodeSample(_ relative: String) throws -> (SampleSink, XMLStreamErrorDescription?) {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Repository.path(relative))))
    let sink = SampleSink()
    let decoder = CEBDecoder(sink: sink)
    do {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 1024)
            try decoder.feed(Array(bytes[offset..<end]))
            offset = end
        }
        try decoder.finish()
        return (sink, nil)
    } catch {
        return (sink, XMLStreamErrorDescription(text: "\(error)"))
    }
}

private struct XMLStreamErrorDescription { var text: String }

/// `python3` on the PATH, if any.
private let python3 = CommandRunner.which("python3")

/// The generated catalog, typed documents and samples, through the decoder.
@Suite struct GeneratedModelTests {
    /// The committed schemas, Swift and samples are exactly what `scripts/cebspec.py` generates.
    @Test func generatedFilesAreUpToDate() throws {
        let checked = try CommandRunner.runBlocking(try #require(python3, "python3 is needed to check the generated files"),
                                                    [Repository.path("scripts/cebspec.py"), "--check"], timeout: 300)
        #expect(checked.status == 0, "regenerate with python3 scripts/cebspec.py:\n\(checked.output)")
    }

    @Test func catalogIsConsistent() {
        #expect(MessageCatalog.all.count >= 40)
        #expect(Set(MessageCatalog.all.map(\.number)).count == MessageCatalog.all.count)
        #expect(Set(MessageCatalog.all.map(\.root)).count == MessageCatalog.all.count)
        for spec in MessageCatalog.all {
            #expect(MessageCatalog.spec(number: spec.number) == spec)
            #expect(MessageCatalog.spec(root: spec.root) == spec)
            #expect(!spec.keyFields.isEmpty, "\(spec.number) has no key fields")
            for key in spec.keyFields {
                #expect(spec.document.head.index(of: key) != nil, "\(spec.number) key \(key) is not a head field")
            }
            let names = spec.document.head.fields.map(\.name)
            #expect(Set(names).count == names.count, "\(spec.number) repeats a field")
            #expect(spec.document.lines != nil || !spec.document.linesRequired)
        }
        #expect(MessageCatalog.spec(number: "CEB999") == nil)
        #expect(MessageCatalog.spec(root: "CEB311") == nil)
    }

    @Test func sharedElementNamesAreSeparateSpecsPickedByNumber() throws {
        let importOrder = try #require(MessageCatalog.spec(number: "CEB311"))
        let exportOrder = try #require(MessageCatalog.spec(number: "CEB303"))
        #expect(importOrder.document.element == exportOrder.document.element)
        #expect(importOrder.document.head.index(of: "acturalPaid") != nil)
        #expect(exportOrder.document.head.index(of: "acturalPaid") == nil)
        #expect(importOrder.flow == .import && exportOrder.flow == .export)
        #expect(MessageCatalog.ceb603.document.head.index(of: "POD") != nil)
        // The official schemas spell consigneeDistrict (the older bean tables had consigneeDitrict).
        #expect(MessageCatalog.ceb311.document.head.index(of: "consigneeDistrict") != nil)
        #expect(MessageCatalog.ceb311.document.head.index(of: "consigneeDitrict") == nil)
        #expect(MessageCatalog.ceb622.role == .receipt)
        #expect(MessageCatalog.insp.root == "InspOrderMessage")
        #expect(MessageCatalog.payex.root == "PayExInfoMessage")
    }

    @Test(arguments: Repository.acceptedSamples)
    func validSampleDecodesWithoutErrors(path: String) throws {
        let file = (path as NSString).lastPathComponent
        let (sink, error) = try decodeSample(path)
        #expect(error == nil, "\(file): \(error?.text ?? "")")
        let errors = sink.issues.filter(\.isError).map(\.text)
        #expect(errors.isEmpty, "\(file): \(errors)")
        let number = Repository.number(of: file)
        #expect(sink.documents.contains { $0.0.spec.number == number }, "\(file) has no \(number) document")
        for (document, context) in sink.documents {
            #expect(document.spec == context.spec)
            #expect(!document.keys.isEmpty, "\(file): a \(document.spec.number) document has no key values")
        }
        #expect(sink.envelopes.count == 1)
        // Declarations name their sender; customs receipts do not (the channel does), as customs writes them.
        let spec = try #require(MessageCatalog.spec(number: number))
        #expect((sink.envelopes.first?.baseTransfer != nil) == spec.requiresBaseTransfer, "\(file)")
    }

    /// Codes the decoder itself reports (the rule codes come from ClearanceRules).
    static let decoderCodes = ["SCH001", "SCH002", "SCH003", "SCH004", "SCH005", "SCH006", "SCH007", "SCH008", "RUL011", "WRN001"]

    @Test(arguments: Repository.invalidSamples.filter { decoderCodes.contains(Repository.expected[$0] ?? "") })
    func invalidSampleIsReportedWithItsCode(file: String) throws {
        let code = try #require(Repository.expected[file])
        let (sink, error) = try decodeSample("samples/invalid/\(file)")
        #expect(error == nil)
        #expect(sink.issues.contains { $0.code == code }, "\(file): expected \(code), got \(sink.issues.map { $0.code })")
    }

    @Test func importShipmentDocumentsAgree() throws {
        func first(_ file: String) throws -> CEBDocument {
            let (sink, _) = try decodeSample("samples/valid/\(file)")
            return try #require(sink.documents.first?.0)
        }
        guard case .order(let order) = try first("CEB311-order.xml"),
              case .payment(let payment) = try first("CEB411-payment.xml"),
              case .logistics(let waybill) = try first("CEB511-logistics.xml"),
              case .inventory(let inventory) = try first("CEB621-inventory.xml") else {
            Testing.Issue.record("unexpected document types")
            return
        }
        #expect(order.head.orderNo == payment.head.orderNo)
        #expect(order.head.orderNo == inventory.head.orderNo)
        #expect(waybill.head.logisticsNo == inventory.head.logisticsNo)
        #expect(payment.head.amountPaid == order.head.acturalPaid)
        #expect(payment.head.payerIdNumber == order.head.buyerIdNumber)
        #expect(inventory.head.buyerIdNumber == order.head.buyerIdNumber)
        var goods = CEBDecimal.zero
        for line in order.lines {
            #expect(line.qty.multiplied(by: line.price) == line.totalPrice)
            goods = goods &+ line.totalPrice
        }
        #expect(goods == order.head.goodsValue)
        #expect(order.head.goodsValue &+ order.head.freight &- order.head.discount &+ order.head.taxTotal == order.head.acturalPaid)
        #expect(order.lines.map(\.qty) == inventory.lines.map(\.qty))
        #expect(order.lines.map(\.price) == inventory.lines.map(\.price))
        #expect(order.lines.first?.gnum == 1)
        #expect(inventory.head.packNo == 1)
        #expect(order.head.note == "平潭跨境直购订单")
        #expect(order.head.batchNumbers == nil)
    }

    @Test func inspectionInsideExtendMessageIsDecoded() throws {
        let (sink, error) = try decodeSample("samples/valid/CEB621-inventory-with-inspection.xml")
        #expect(error == nil)
        let inspections = sink.documents.compactMap { document -> InspectionOrder? in
            if case .inspectionOrder(let inspection) = document.0 { return inspection }
            return nil
        }
        let inspection = try #require(inspections.first)
        #expect(inspection.head.inspBizType == "1")
        #expect(inspection.lines.count == 2)
        #expect(inspection.lines[1].inspGrossWeight == CEBDecimal("2.05"))
    }

    @Test func typedValuesEncodeDecimalsAsText() throws {
        let head = OrderHead(guid: "9B2CD32B-2B33-5E48-9B82-7A28615E98E0", orderNo: "PT1", goodsValue: CEBDecimal("742.00")!,
                             acturalPaid: CEBDecimal("800.43")!, note: "备注")
        let data = try JSONEncoder().encode(head)
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains(#""acturalPaid":"800.43""#))
        #expect(!json.contains("payCode"))
        let back = try JSONDecoder().decode(OrderHead.self, from: data)
        #expect(back == head)
        let fromNumber = try JSONDecoder().decode([CEBDecimal].self, from: Data("[12.5, 3, \"0.00001\"]".utf8))
        #expect(fromNumber == [CEBDecimal("12.5")!, CEBDecimal(3), CEBDecimal(units: 1)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CEBDecimal].self, from: Data(#"["1.234567"]"#.utf8)) }
    }

    @Test func keysFollowTheSpecOrderAndSkipEmptyValues() {
        let inventory = Inventory(head: InventoryHead(orderNo: "PT1", logisticsNo: "LD1", copNo: "", invtNo: "35162026I000000001"))
        let keys = CEBDocument.inventory(inventory).keys
        #expect(keys.map(\.field) == ["orderNo", "logisticsNo", "invtNo"])
        #expect(keys.map(\.value) == ["PT1", "LD1", "35162026I000000001"])
        #expect(CEBDocument.inventory(inventory).spec == MessageCatalog.ceb621)
    }
}
