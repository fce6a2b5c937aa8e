import XMLStreaming

/// Records every event as text, to compare parses.
final class Recorder: XMLEventHandler {
    var events: [String] = []
    var symbols: [Int32] = []
    var pendingText: [UInt8] = []

    func flush() {
        if !pendingText.isEmpty { events.append("text:" + String(decoding: pendingText, as: UTF8.self)) }
        pendingText = []
    }

    func startElement(_ element: XMLStartElement) {
        flush()
        var line = "start:\(element.prefix.string.map { $0 + ":" } ?? "")\(element.localName.string!)@\(element.depth)"
        for index in 0..<element.namespaceCount {
            let ns = element.namespace(at: index)
            line += " xmlns:\(ns.prefix.string ?? "")=\(ns.uri.string ?? "")"
        }
        for index in 0..<element.attributeCount {
            let attribute = element.attribute(at: index)
            line += " \(attribute.localName.string!)=\(attribute.stringValue)"
        }
        events.append(line)
        symbols.append(element.symbol)
    }

    func endElement(symbol: Int32, depth: Int) {
        flush()
        events.append("end@\(depth)")
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        pendingText.append(contentsOf: text)
    }

    func comment(_ text: UnsafeBufferPointer<UInt8>) {
        flush()
        events.append("comment:" + String(decoding: text, as: UTF8.self))
    }
}

/// Parses `bytes` fed in chunks of `chunk` bytes; returns the events or the error.
func parse(_ bytes: [UInt8], chunk: Int = 1 << 16, vocabulary: XMLVocabulary = .empty, limits: XMLLimits = .standard) -> (Recorder, XMLStreamError?) {
    let recorder = Recorder()
    let parser = XMLPushParser(vocabulary: vocabulary, limits: limits, handler: recorder)
    do throws(XMLStreamError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try parser.feed(Array(bytes[offset..<end]))
            offset = end
        }
        try parser.finish()
        recorder.flush()
        return (recorder, nil)
    } catch {
        return (recorder, error)
    }
}

func parse(_ text: String, chunk: Int = 1 << 16, vocabulary: XMLVocabulary = .empty, limits: XMLLimits = .standard) -> (Recorder, XMLStreamError?) {
    parse(Array(text.utf8), chunk: chunk, vocabulary: vocabulary, limits: limits)
}
