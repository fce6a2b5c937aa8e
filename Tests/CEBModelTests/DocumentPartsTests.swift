import CEBModel
import Foundation
import Testing
import XMLStreaming

/// A sink that takes long documents in parts (as validation and ingest do).
final class PartCollector: CEBDocumentSink {
    var calls: [(WayBill, DocumentContext)] = []
    var others: [DocumentContext] = []
    var acceptsDocumentParts: Bool { true }
    func messageStarted(_ header: MessageHeader) {}
    func document(_ decode: () -> CEBDocument, context: DocumentContext) {
        if case .wayBill(let w) = decode() { calls.append((w, context)) } else { others.append(context) }
    }
    func messageFinished(_ envelope: MessageEnvelope) {}
}

/// The CEB607 consolidated waybill streams in parts of ``CEBLimits/linesPerPart`` lines to a sink
/// that accepts parts: each part carries the whole head and the next lines, numbered in the document.
@Suite struct DocumentPartsTests {
    static func manifest(lines: Int, gnumText: (Int) -> String = { String($0) }) -> String {
        let sample = try! String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/valid/CEB607-waybill.xml").standardized.path, encoding: .utf8)
        let start = sample.range(of: "<ceb:WayBillList>")!.lowerBound, end = sample.range(of: "</ceb:WayBill>")!.lowerBound
        var body = ""
        for n in 1...lines {
            body += "<ceb:WayBillList><ceb:gnum>\(gnumText(n))</ceb:gnum><ceb:totalPackageNo>MWP1</ceb:totalPackageNo>"
                + "<ceb:logisticsNo>MWX\(n)</ceb:logisticsNo><ceb:invtNo>35012026E\(String(format: "%09d", n))</ceb:invtNo></ceb:WayBillList>\n"
        }
        return String(sample[..<start]) + body + String(sample[end...])
    }

    static func run(_ text: String, limits: CEBLimits, threading: CEBDecoder.Threading) throws -> PartCollector {
        let sink = PartCollector()
        let decoder = CEBDecoder(limits: limits, threading: threading, sink: sink)
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 1000) { try decoder.feed(Array(bytes[start..<min(bytes.count, start + 1000)])) }
        try decoder.finish()
        return sink
    }

    @Test(arguments: [CEBDecoder.Threading.inline, .parserThread])
    func partsCarryTheHeadAndTheNextLines(threading: CEBDecoder.Threading) throws {
        var limits = CEBLimits()
        limits.linesPerPart = 4
        limits.maxLinesPerDocument = 5   // not the bound of a streamed document
        let sink = try Self.run(Self.manifest(lines: 10), limits: limits, threading: threading)
        #expect(sink.calls.map(\.1.firstLine) == [0, 4, 8])
        #expect(sink.calls.map(\.1.lineCount) == [4, 8, 10])
        #expect(sink.calls.map(\.1.continues) == [true, true, false])
        #expect(sink.calls.map(\.0.lines.count) == [4, 4, 2])
        #expect(sink.calls.map { $0.0.lines.first?.logisticsNo } == ["MWX1", "MWX5", "MWX9"])
        #expect(sink.calls.allSatisfy { $0.0.head.billNo == "MWHX2611260003" && $0.0.head.copNo == "MWZF202611260001" })
        #expect(sink.calls.allSatisfy { $0.1.issues.isEmpty }, "\(sink.calls.flatMap(\.1.issues))")
    }

    @Test func aLineIssueIsNumberedInTheWholeDocumentAndHeadIssuesComeOnce() throws {
        var limits = CEBLimits()
        limits.linesPerPart = 4
        let text = Self.manifest(lines: 10, gnumText: { $0 == 7 ? "seven" : String($0) })
            .replacingOccurrences(of: "<ceb:customsCode>3501</ceb:customsCode>", with: "")
        let sink = try Self.run(text, limits: limits, threading: .inline)
        #expect(sink.calls.count == 3)
        #expect(sink.calls[0].1.issues.contains { $0.field?.contains("customsCode") == true })
        #expect(!sink.calls[1].1.issues.contains { $0.field?.contains("customsCode") == true })
        #expect(!sink.calls[2].1.issues.contains { $0.field?.contains("customsCode") == true })
        #expect(sink.calls[1].1.issues.contains { $0.field == "WayBillList[7].gnum" }, "\(sink.calls[1].1.issues)")
    }

    @Test func aStreamedDocumentHasItsOwnBoundAndOtherSinksKeepTheWholeDocumentBound() throws {
        var limits = CEBLimits()
        limits.linesPerPart = 4
        limits.maxStreamedLines = 9
        let sink = try Self.run(Self.manifest(lines: 10), limits: limits, threading: .inline)
        #expect(sink.calls.last?.1.issues.contains { $0.code == "LIM001" } == true)
        #expect(sink.calls.last?.1.lineCount == 9)

        // A sink that needs whole documents gets one call, bounded by maxLinesPerDocument.
        var whole = CEBLimits()
        whole.linesPerPart = 4
        whole.maxLinesPerDocument = 6
        let (collector, error) = decode(Self.manifest(lines: 10), limits: whole)
        #expect(error == nil)
        #expect(collector.documents.count == 1)
        #expect(collector.documents[0].1.continues == false)
        #expect(collector.documents[0].1.issues.contains { $0.code == "LIM001" })
    }

    @Test func theHeadMustComeBeforeTheLines() throws {
        var limits = CEBLimits()
        limits.linesPerPart = 2
        var text = Self.manifest(lines: 3)
        let head = text.range(of: "<ceb:WayBillHead>")!.lowerBound..<text.range(of: "</ceb:WayBillHead>")!.upperBound
        let headText = String(text[head])
        text.removeSubrange(head)
        text = text.replacingOccurrences(of: "</ceb:WayBill>", with: headText + "</ceb:WayBill>")
        let sink = try Self.run(text, limits: limits, threading: .inline)
        #expect(sink.calls.first?.1.issues.contains { $0.code == "SCH010" } == true)
    }
}
