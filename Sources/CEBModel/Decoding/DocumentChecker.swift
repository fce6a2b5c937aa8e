/// The checking half of the decoder: runs the schema checks and the caller's rules on each
/// collected document, then hands it to the sink with a lazy typed value.
///
/// A document streamed in parts is checked part by part: the head (and its rules) with the first
/// part, each line in its part (numbered in the whole document), the whole-document rules and
/// the "no line" check with the last part. The whole-document rules see only the last part's
/// lines; they check sums and totals, and the streamed types (``CEBLimits/streamedMessageTypes``)
/// have none.
final class DocumentChecker: DecoderOutput {
    let rules: (any RecordRules)?
    let sink: any CEBDocumentSink
    /// Documents of the current message declared with appStatus 2.
    var declaredCount = 0

    init(rules: (any RecordRules)?, sink: any CEBDocumentSink) {
        self.rules = rules
        self.sink = sink
    }

    func messageStarted(_ header: MessageHeader) {
        declaredCount = 0
        sink.messageStarted(header)
    }

    func messageFinished(_ envelope: MessageEnvelope) {
        var envelope = envelope
        envelope.declaredDocumentCount = declaredCount
        sink.messageFinished(envelope)
    }

    func document(_ document: CollectedDocument) {
        let spec = MessageCatalog.all[document.message]
        let messageIndex = document.message
        let index = document.index
        let position = document.position
        var issues = document.issues
        document.text.withUnsafeBufferPointer { text in
            document.headSlots.withUnsafeBufferPointer { head in
                document.lineSlots.withUnsafeBufferPointer { lines in
                    let values = DocumentValues(head: FieldValues(text: text, slots: head), lineText: text, lineSlots: lines,
                                                lineWidth: document.lineWidth, lineCount: document.lineCount)
                    let key = DecoderCore.key(values.head, spec: spec)
                    for index in issues.indices { issues[index].key = key }
                    let fallback = (position.line, position.column)
                    let location = IssueLocation(line: position.line, column: position.column, documentIndex: index, key: key)
                    if document.firstLine == 0 {
                        RecordChecker.check(values.head, spec: spec.document.head, path: .head, fallback: fallback,
                                            documentIndex: index, key: key, into: &issues)
                        rules?.check(values.head, record: spec.document.head, message: spec, messageIndex: messageIndex,
                                     isLine: false, path: .head, location: location, into: &issues)
                    }
                    if let lineSpec = spec.document.lines {
                        for line in 0..<document.lineCount {
                            let path = RecordPath(lineElement: lineSpec.element, line: document.firstLine + line + 1)
                            RecordChecker.check(values.line(line), spec: lineSpec, path: path,
                                                fallback: fallback, documentIndex: index, key: key, into: &issues)
                            rules?.check(values.line(line), record: lineSpec, message: spec, messageIndex: messageIndex,
                                         isLine: true, path: path, location: location, into: &issues)
                        }
                        if document.firstLine + document.lineCount == 0 && spec.document.linesRequired {
                            issues.append(ValidationIssue(code: "SCH008", message: "the document has no \(lineSpec.element) line; at least one is required",
                                                          field: lineSpec.element, line: position.line, column: position.column,
                                                          documentIndex: index, key: key))
                        }
                        // Clearance reads longer documents; customs does not, and a document is never split.
                        let lines = document.firstLine + document.lineCount
                        if !document.continues, let most = spec.customsLimits.maxLinesPerDocument, lines > most {
                            issues.append(ValidationIssue(
                                code: "WRN007", severity: .warning,
                                message: "the document has \(lines) \(lineSpec.element) lines; customs accepts at most \(most), so it is not sent to customs (OUT003): send it as several documents",
                                field: lineSpec.element, line: position.line, column: position.column, documentIndex: index, key: key))
                        }
                    }
                    if !document.continues {
                        rules?.checkDocument(values, message: spec, messageIndex: messageIndex, location: location, into: &issues)
                    }
                    if !document.continues, let status = spec.document.head.index(of: "appStatus"), let bytes = values.head.bytes(status),
                       bytes.count == 1, bytes[0] == UInt8(ascii: "2") {
                        declaredCount += 1
                    }
                    let context = DocumentContext(spec: spec, index: index, position: position, key: key, issues: issues,
                                                  lineCount: document.firstLine + document.lineCount, firstLine: document.firstLine,
                                                  continues: document.continues)
                    sink.document({ CEBDocument(spec: spec, values: values) }, context: context)
                }
            }
        }
    }
}
