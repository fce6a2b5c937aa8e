import XMLStreaming

/// Records every event as text, to compare parses.
final class Recorder: XMLEventHandler {
    var events: [String] = []
    var symbols: [Int32] = []
    /// Each start's namespace symbol, then its attributes' symbols.
    var otherSymbols: [[Int32]] = []
    /// Each start's position.
    var positions: [String] = []
    /// Processing instructions (target, data).
    var instructions: [String] = []
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
        positions.append("\(element.position.line):\(element.position.column)")
        symbols.append(element.symbol)
        otherSymbols.append([element.namespaceSymbol] + (0..<element.attributeCount).map { element.attribute(at: $0).symbol })
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

    func processingInstruction(target: String, data: String) {
        instructions.append("\(target) \(data)")
    }
}

/// Parses `bytes` fed in chunks of `chunk` bytes; returns the events or the error. With `recording`,
/// the parser records each chunk's events on a tape, replayed to the recorder after the chunk.
func parse(_ bytes: [UInt8], chunk: Int = 1 << 16, vocabulary: XMLVocabulary = .empty, limits: XMLLimits = .standard,
           recording: Bool = false) -> (Recorder, XMLStreamError?) {
    let recorder = Recorder()
    let tape = XMLEventTape(capacity: 64)
    let replayer = XMLEventReplayer(vocabulary: vocabulary, handler: recorder)
    let parser = recording ? XMLPushParser(vocabulary: vocabulary, limits: limits, recordingInto: tape)
        : XMLPushParser(vocabulary: vocabulary, limits: limits, handler: recorder)
    func replay() {
        let recorded = XMLEventTape(capacity: 64)
        tape.exchange(with: recorded)
        replayer.replay(recorded)
    }
    do throws(XMLStreamError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try parser.feed(Array(bytes[offset..<end]))
            replay()
            offset = end
        }
        try parser.finish()
        replay()
        recorder.flush()
        return (recorder, nil)
    } catch {
        replay()
        return (recorder, error)
    }
}

func parse(_ text: String, chunk: Int = 1 << 16, vocabulary: XMLVocabulary = .empty, limits: XMLLimits = .standard,
           recording: Bool = false) -> (Recorder, XMLStreamError?) {
    parse(Array(text.utf8), chunk: chunk, vocabulary: vocabulary, limits: limits, recording: recording)
}
