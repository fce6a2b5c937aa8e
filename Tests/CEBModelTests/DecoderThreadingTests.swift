import CEBModel
import ClearanceTestSupport
import Foundation
import Testing
import XMLStreaming

/// Parsing on a second thread gives exactly what parsing inline gives: the same documents,
/// issues and envelope, in the same order, with errors after every document read before them.
@Suite struct DecoderThreadingTests {
    /// Everything a decoder reported, as comparable text.
    static func transcript(_ bytes: [UInt8], threading: CEBDecoder.Threading, chunk: Int) -> [String] {
        let collector = Collector()
        let decoder = CEBDecoder(threading: threading, sink: collector)
        var error: XMLStreamError?
        do throws(XMLStreamError) {
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                try decoder.feed(Array(bytes[offset..<end]))
                offset = end
            }
            try decoder.finish()
        } catch let failure {
            error = failure
        }
        var lines = collector.headers.map { "start \($0.rootElement) \($0.guid ?? "-")" }
        for (document, context) in collector.documents {
            lines.append("doc \(context.index) \(context.key ?? "-") \(document.keys.map { "\($0.field)=\($0.value)" })")
            lines += context.issues.map(\.description)
        }
        for envelope in collector.envelopes {
            lines.append("end \(envelope.documentCount) declared=\(envelope.declaredDocumentCount) signed=\(envelope.hasSignature)")
            lines += envelope.issues.map(\.description)
        }
        if let error { lines.append("error \(error)") }
        return lines
    }

    static let samples = Repository.acceptedSamples + Repository.invalidSamples.map { "samples/invalid/\($0)" }

    @Test(arguments: samples)
    func sameResultOnEitherThread(sample: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Repository.path(sample))))
        let inline = Self.transcript(bytes, threading: .inline, chunk: 1 << 16)
        #expect(!inline.isEmpty)
        for chunk in [7, 1 << 16] {
            #expect(Self.transcript(bytes, threading: .parserThread, chunk: chunk) == inline)
        }
    }

    @Test func manyDocumentsAndAnErrorAtTheEnd() {
        let documents = (0..<5000).map { orderXML(orderNo: "T\($0)") }
        var text = message311(documents)
        text = String(text.dropLast(30)) + "<broken"
        let bytes = Array(text.utf8)
        let inline = Self.transcript(bytes, threading: .inline, chunk: 4096)
        let threaded = Self.transcript(bytes, threading: .parserThread, chunk: 4096)
        #expect(threaded == inline)
        #expect(inline.filter { $0.hasPrefix("doc ") }.count == 5000)
        #expect(inline.last?.hasPrefix("error ") == true)
    }

    @Test func abandonedDecoderStopsItsThread() {
        // A decoder dropped mid-input must not hang or leak a blocked thread.
        for _ in 0..<20 {
            let decoder = CEBDecoder(threading: .parserThread, sink: Collector())
            try? decoder.feed(Array(message311([orderXML()]).utf8.prefix(500)))
        }
    }
}
