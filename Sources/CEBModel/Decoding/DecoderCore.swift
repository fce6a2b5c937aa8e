import XMLStreaming

/// Where the collecting half of the decoder sends what it read.
protocol DecoderOutput: AnyObject {
    func messageStarted(_ header: MessageHeader)
    func document(_ document: CollectedDocument)
    func messageFinished(_ envelope: MessageEnvelope)
}

/// The state machine behind ``CEBDecoder``: turns parser events into records, and hands each
/// finished document's raw values to its ``DecoderOutput`` (which checks and types them).
/// Element names arrive as symbols (see ``DecoderTables``).
final class DecoderCore: XMLEventHandler {
    let limits: CEBLimits
    let output: any DecoderOutput
    let tables = DecoderTables.shared

    // Message
    var messageIndex = -1
    var header: MessageHeader?
    var messageIssues: [ValidationIssue] = []
    var documentCount = 0
    var hasSignature = false
    var baseTransfer: BaseTransfer?
    var subscriptions: [BaseSubscribe] = []
    // Place of the last top-level part read: 0 documents, then 1 + the part's index in the spec's envelope
    // (Int.max for a signature on a message whose official schema has none).
    var partRank = 0
    var partName = ""

    // Document
    var documentDepth = 0
    var documentMessage = -1
    // Cached for the open document: its message's tables, so events never touch an array of arrays.
    var documentFlat = false
    var documentHeadSymbol: Int32 = -1
    var documentLineSymbol: Int32 = -1
    var documentHeadTable: UnsafeMutablePointer<Int16>?
    var documentLineTable: UnsafeMutablePointer<Int16>?
    var documentPosition = XMLPosition(line: 0, column: 0)
    var documentIssues: [ValidationIssue] = []
    var documentOverflow = false
    var headSeen = false
    var text: [UInt8] = []
    var headSlots: [FieldSlot] = []
    var lineSlots: [FieldSlot] = []
    var lineWidth = 0
    /// Lines held now (of the current part, for a streamed document).
    var lineCount = 0
    /// Lines of the open document already handed over in earlier parts.
    var linesBefore = 0
    /// Whether the open document streams in parts.
    var documentStreams = false
    /// Per message type: whether its documents stream in parts (all false unless the output takes parts).
    let streamed: [Bool]
    /// Scratch for keeping the head's text when a part is handed over.
    var headText: [UInt8] = []

    // Envelope record being read (BaseTransfer / BaseSubscribe)
    var envelopeRecord: RecordSpec?
    var envelopeDepth = 0
    var envelopeSlots: [FieldSlot] = []

    // Current record inside a document: 0 none, 1 head, 2 line
    var record = 0
    // Field being captured
    var fieldSlot = -1
    var fieldDepth = 0
    var fieldInLines = false
    var fieldInEnvelope = false
    // Subtree being skipped (unexpected elements, the signature)
    var skipDepth = 0
    // Depth of an open ExtendMessage (inspection documents may sit inside)
    var extendDepth = 0
    // Unexpected elements met in the open document, and in the message outside documents
    var documentUnexpected = 0
    var messageUnexpected = 0

    init(limits: CEBLimits, output: any DecoderOutput, streamsParts: Bool = false) {
        self.limits = limits
        self.output = output
        streamed = MessageCatalog.all.map { streamsParts && $0.document.lines != nil && limits.streamedMessageTypes.contains($0.number) }
        text.reserveCapacity(64 << 10)
    }

    // MARK: Events

    func startElement(_ element: XMLStartElement) {
        let depth = element.depth
        if skipDepth > 0 { return }
        if fieldSlot >= 0 {
            // Fields hold text only.
            unexpected(element, inside: "a field")
            return
        }
        if depth == 1 { return startMessage(element) }
        if messageIndex < 0 { return }
        if documentDepth > 0 { return startInDocument(element) }
        if envelopeRecord != nil { return startEnvelopeField(element) }
        if extendDepth > 0 {
            if element.symbol >= 0 && tables.inspectionMessage >= 0
                && element.symbol == tables.documentSymbol[tables.inspectionMessage] {
                beginDocument(message: tables.inspectionMessage, element)
            }
            return
        }
        guard depth == 2 else { return }
        let symbol = element.symbol
        if symbol == tables.documentSymbol[messageIndex] {
            guard inPlace(element, rank: 0, name: MessageCatalog.all[messageIndex].document.element) else { return }
            beginDocument(message: messageIndex, element)
        } else if symbol == tables.symbolBaseTransfer {
            guard let rank = envelopeRank(.baseTransfer, element) else { return }
            if baseTransfer != nil || rank == partRank && partName == EnvelopePart.baseTransfer.rawValue {
                // A few official 202205 samples repeat the block; the schema allows one.
                messageIssues.append(issue(element, "WRN004", "a second BaseTransfer block is ignored; the official schema allows one",
                                           field: "BaseTransfer", severity: .warning))
                skipDepth = depth
                return
            }
            guard inPlace(element, rank: rank, name: EnvelopePart.baseTransfer.rawValue) else { return }
            beginEnvelope(EnvelopeSpecs.baseTransfer, element)
        } else if symbol == tables.symbolBaseSubscribe {
            guard let rank = envelopeRank(.baseSubscribe, element), inPlace(element, rank: rank, name: EnvelopePart.baseSubscribe.rawValue) else { return }
            beginEnvelope(EnvelopeSpecs.baseSubscribe, element)
        } else if symbol == tables.symbolExtendMessage {
            guard let rank = envelopeRank(.extendMessage, element), inPlace(element, rank: rank, name: EnvelopePart.extendMessage.rawValue) else { return }
            extendDepth = depth
        } else if symbol == tables.symbolSignature && element.namespaceSymbol == tables.symbolDsigNamespace {
            if hasSignature {
                messageIssues.append(issue(element, "SIG002", "the message carries more than one ds:Signature", field: "Signature"))
            }
            hasSignature = true
            skipDepth = depth
            let rank = envelopeRank(.signature, element) ?? .max
            _ = inPlace(element, rank: rank, name: "ds:Signature", skip: false)
        } else {
            unexpected(element, inside: header?.rootElement ?? "the message")
        }
    }

    /// The place of an envelope part in this message's official order, or nil (and an issue) when the
    /// official schema has no place for it. A `ds:Signature` without a place (customs receipts) is read
    /// as the last part: Clearance's own answers are signed.
    private func envelopeRank(_ part: EnvelopePart, _ element: XMLStartElement) -> Int? {
        let spec = MessageCatalog.all[messageIndex]
        if let index = spec.envelope.firstIndex(where: { $0.part == part }) { return index + 1 }
        switch part {
        case .signature:
            return nil
        case .baseTransfer:
            // Customs receipts name no sender (the channel does); a BaseTransfer there is read, not required.
            messageIssues.append(issue(element, "WRN004", "\(spec.root) has no BaseTransfer in the official schema; the block is read but not required",
                                       field: "BaseTransfer", severity: .warning))
            return spec.envelope.count + 1
        case .baseSubscribe, .extendMessage:
            unexpected(element, inside: spec.root)
            return nil
        }
    }

    /// Whether a top-level part comes in the official order; when it does not, a structural issue
    /// (`SCH010`) and the part is skipped (unless `skip` is false).
    private func inPlace(_ element: XMLStartElement, rank: Int, name: String, skip: Bool = true) -> Bool {
        if rank < partRank {
            messageIssues.append(issue(element, "SCH010", "\(name) must come before \(partName) in \(MessageCatalog.all[messageIndex].root)",
                                       field: name))
            if skip { skipDepth = element.depth }
            return false
        }
        partRank = rank
        partName = name
        return true
    }

    func endElement(symbol: Int32, depth: Int) {
        if skipDepth > 0 {
            if depth == skipDepth { skipDepth = 0 }
            if depth == 1 { finishMessage() }
            return
        }
        if fieldSlot >= 0 && depth == fieldDepth {
            let length = Int32(text.count) - (fieldInEnvelope ? envelopeSlots[fieldSlot].start
                                               : fieldInLines ? lineSlots[fieldSlot].start : headSlots[fieldSlot].start)
            if fieldInEnvelope { envelopeSlots[fieldSlot].length = length }
            else if fieldInLines { lineSlots[fieldSlot].length = length }
            else { headSlots[fieldSlot].length = length }
            fieldSlot = -1
            return
        }
        if documentDepth > 0 {
            if depth == documentDepth { finishDocument() }
            else if depth == documentDepth + 1 && !documentFlat { record = 0 }
            return
        }
        if envelopeRecord != nil && depth == envelopeDepth { return finishEnvelope() }
        if extendDepth > 0 && depth == extendDepth { extendDepth = 0; return }
        if depth == 1 { finishMessage() }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard fieldSlot >= 0, skipDepth == 0 else { return }
        if documentDepth > 0 && text.count + bytes.count > limits.maxDocumentBytes {
            overflow("its field text exceeds \(limits.maxDocumentBytes) bytes")
            return
        }
        text.append(contentsOf: bytes)
    }

    // MARK: Message

    private func startMessage(_ element: XMLStartElement) {
        let message = element.symbol >= 0 ? tables.rootMessage[Int(element.symbol)] : -1
        var guid: String?, version: String?
        for index in 0..<element.attributeCount {
            let attribute = element.attribute(at: index)
            guard attribute.namespaceURI.isNil else { continue }
            if attribute.symbol == tables.symbolGuid { guid = attribute.stringValue }
            else if attribute.symbol == tables.symbolVersion { version = attribute.stringValue }
        }
        let rootName = element.localName.string ?? ""
        header = MessageHeader(spec: message >= 0 ? MessageCatalog.all[Int(message)] : nil, rootElement: rootName,
                               guid: guid, version: version, position: element.position)
        partRank = 0
        partName = ""
        messageUnexpected = 0
        if message < 0 {
            messageIssues.append(issue(element, "SCH009", "\(rootName) is not a CEB message this service knows", field: rootName))
            skipDepth = 1
        } else if element.namespaceSymbol != tables.symbolCEBNamespace {
            messageIssues.append(issue(element, "SCH009", "\(rootName) must be in the namespace \(EnvelopeSpecs.cebNamespace)", field: rootName))
            skipDepth = 1
        } else {
            messageIndex = Int(message)
            let root = MessageCatalog.all[messageIndex].root
            if rootName != root {
                messageIssues.append(issue(element, "WRN005", "the root \(rootName) is read as \(root), the official schema's name", field: rootName,
                                           severity: .warning))
            }
            checkRootAttributes(element, guid: guid, version: version)
        }
        output.messageStarted(header!)
    }

    private func checkRootAttributes(_ element: XMLStartElement, guid: String?, version: String?) {
        if let guid {
            if guid.utf8.count != 36 {
                messageIssues.append(issue(element, "SCH002", "the message guid must be 36 characters, it is \(guid.count)", field: "@guid"))
            } else if guid.utf8.contains(where: { (97...122).contains($0) }) {
                messageIssues.append(issue(element, "WRN001", "the message guid \(guid) has lower-case letters; the standard asks for upper case",
                                           field: "@guid", severity: .warning))
            }
        } else {
            messageIssues.append(issue(element, "SCH001", "the message root has no guid attribute", field: "@guid"))
        }
        if version == nil {
            messageIssues.append(issue(element, "SCH001", "the message root has no version attribute", field: "@version"))
        }
    }

    private func finishMessage() {
        guard let header else { return }
        if messageIndex >= 0 && baseTransfer == nil && MessageCatalog.all[messageIndex].requiresBaseTransfer {
            messageIssues.append(ValidationIssue(code: "SCH001", message: "the message has no BaseTransfer block", field: "BaseTransfer",
                                       line: header.position.line, column: header.position.column))
        }
        if messageIndex >= 0 && !hasSignature && MessageCatalog.all[messageIndex].requiresSignature {
            messageIssues.append(ValidationIssue(code: "SIG100", severity: .warning,
                                       message: "customs requires a ds:Signature on \(MessageCatalog.all[messageIndex].root); Clearance signs it before sending",
                                       field: "Signature", line: header.position.line, column: header.position.column))
        }
        if messageIndex >= 0 && documentCount == 0 {
            let element = MessageCatalog.all[messageIndex].document.element
            messageIssues.append(ValidationIssue(code: "SCH008", message: "the message carries no \(element) document", field: element,
                                       line: header.position.line, column: header.position.column))
        }
        output.messageFinished(MessageEnvelope(
            header: header, baseTransfer: baseTransfer, subscriptions: subscriptions, hasSignature: hasSignature,
            documentCount: documentCount, declaredDocumentCount: 0, issues: messageIssues))
        messageIssues = []
    }

    // MARK: Envelope records

    private func beginEnvelope(_ spec: RecordSpec, _ element: XMLStartElement) {
        envelopeRecord = spec
        envelopeDepth = element.depth
        envelopeSlots = Array(repeating: FieldSlot(), count: spec.fields.count)
        text.removeAll(keepingCapacity: true)
        documentPosition = element.position
    }

    private func startEnvelopeField(_ element: XMLStartElement) {
        let table = envelopeRecord!.element == EnvelopeSpecs.baseTransfer.element ? tables.baseTransferFields : tables.baseSubscribeFields
        guard element.depth == envelopeDepth + 1, element.symbol >= 0, case let field = Int(table[Int(element.symbol)]), field >= 0,
              envelopeSlots[field].start < 0 else {
            return unexpected(element, inside: envelopeRecord!.element)
        }
        envelopeSlots[field] = FieldSlot(start: Int32(text.count), length: 0, line: Int32(element.position.line), column: Int32(element.position.column))
        fieldSlot = field
        fieldDepth = element.depth
        fieldInEnvelope = true
        fieldInLines = false
    }

    private func finishEnvelope() {
        guard let spec = envelopeRecord else { return }
        envelopeRecord = nil
        fieldInEnvelope = false
        text.withUnsafeBufferPointer { text in
            envelopeSlots.withUnsafeBufferPointer { slots in
                let values = FieldValues(text: text, slots: slots)
                RecordChecker.check(values, spec: spec, path: RecordPath(lineElement: nil, line: 0), prefix: spec.element + ".",
                                    fallback: (documentPosition.line, documentPosition.column),
                                    documentIndex: nil, key: nil, into: &messageIssues)
                if spec.element == EnvelopeSpecs.baseTransfer.element {
                    baseTransfer = BaseTransfer(copCode: values.text(0) ?? "", copName: values.text(1) ?? "", dxpMode: values.text(2) ?? "",
                                                dxpId: values.text(3) ?? "", note: values.text(4))
                } else {
                    subscriptions.append(BaseSubscribe(status: values.text(0) ?? "", dxpMode: values.text(1) ?? "",
                                                       dxpAddress: values.text(2) ?? "", note: values.text(3)))
                }
            }
        }
        text.removeAll(keepingCapacity: true)
    }

    // MARK: Documents

    private func beginDocument(message: Int, _ element: XMLStartElement) {
        documentDepth = element.depth
        documentMessage = message
        documentFlat = tables.flat[message]
        documentHeadSymbol = tables.headSymbol[message]
        documentLineSymbol = tables.lineSymbol[message]
        documentHeadTable = tables.headFields[message]
        documentLineTable = tables.lineFields[message]
        documentPosition = element.position
        let document = MessageCatalog.all[message].document
        let width = document.head.fields.count
        if headSlots.count == width {
            headSlots.withUnsafeMutableBufferPointer { $0.update(repeating: FieldSlot()) }
        } else {
            headSlots = Array(repeating: FieldSlot(), count: width)
        }
        lineWidth = document.lines?.fields.count ?? 0
        lineSlots.removeAll(keepingCapacity: true)
        lineCount = 0
        linesBefore = 0
        documentStreams = streamed[message]
        text.removeAll(keepingCapacity: true)
        if !documentIssues.isEmpty { documentIssues = [] }
        documentOverflow = false
        documentUnexpected = 0
        headSeen = false
        record = document.isFlat ? 1 : 0
    }

    private func startInDocument(_ element: XMLStartElement) {
        let depth = element.depth
        let symbol = element.symbol
        let flat = documentFlat
        if !flat && depth == documentDepth + 1 {
            if symbol == documentHeadSymbol && !headSeen {
                headSeen = true
                record = 1
            } else if symbol >= 0 && symbol == documentLineSymbol {
                if documentStreams {
                    if !headSeen && linesBefore + lineCount == 0 {
                        // Parts carry the head read so far: it must be whole before the first line (as the schema orders it).
                        let document = MessageCatalog.all[documentMessage].document
                        var found = issue(element, "SCH010", "\(document.head.element) must come before the \(document.lines!.element) lines",
                                          field: document.head.element)
                        found.documentIndex = documentCount
                        documentIssues.append(found)
                    }
                    if linesBefore + lineCount >= limits.maxStreamedLines {
                        overflow("it has more than \(limits.maxStreamedLines) lines")
                        skipDepth = depth
                        return
                    }
                    if lineCount >= limits.linesPerPart { handOverPart() }
                } else if lineCount >= limits.maxLinesPerDocument {
                    overflow("it has more than \(limits.maxLinesPerDocument) lines")
                    skipDepth = depth
                    return
                }
                record = 2
                lineSlots.append(contentsOf: repeatElement(FieldSlot(), count: lineWidth))
                lineCount += 1
            } else {
                unexpected(element, inside: MessageCatalog.all[documentMessage].document.element)
            }
            return
        }
        let fieldDepthExpected = documentDepth + (flat ? 1 : 2)
        guard depth == fieldDepthExpected, record != 0 else {
            return unexpected(element, inside: MessageCatalog.all[documentMessage].document.element)
        }
        let table = record == 1 ? documentHeadTable : documentLineTable
        let field = symbol >= 0 ? Int(table![Int(symbol)]) : -1
        let slot = record == 1 ? field : (lineCount - 1) * lineWidth + field
        guard field >= 0 else {
            let document = MessageCatalog.all[documentMessage].document
            return unexpected(element, inside: record == 1 ? document.head.element : document.lines!.element)
        }
        if record == 1 ? headSlots[slot].start >= 0 : lineSlots[slot].start >= 0 {
            return unexpected(element, inside: "the same record again")
        }
        let value = FieldSlot(start: Int32(text.count), length: 0, line: Int32(element.position.line), column: Int32(element.position.column))
        if record == 1 { headSlots[slot] = value } else { lineSlots[slot] = value }
        fieldSlot = slot
        fieldDepth = depth
        fieldInLines = record == 2
        fieldInEnvelope = false
    }

    private func finishDocument() {
        output.document(CollectedDocument(
            message: documentMessage, index: documentCount, position: documentPosition, issues: documentIssues,
            text: text, headSlots: headSlots, lineSlots: lineSlots, lineWidth: lineWidth, lineCount: lineCount,
            firstLine: linesBefore, continues: false))
        documentCount += 1
        documentDepth = 0
        record = 0
    }

    /// Hands the lines held so far over as a part of the open document, then keeps only the head's
    /// text, so a streamed document holds at most ``CEBLimits/linesPerPart`` lines. Called between
    /// lines (no field is open).
    private func handOverPart() {
        output.document(CollectedDocument(
            message: documentMessage, index: documentCount, position: documentPosition, issues: documentIssues,
            text: text, headSlots: headSlots, lineSlots: lineSlots, lineWidth: lineWidth, lineCount: lineCount,
            firstLine: linesBefore, continues: true))
        if !documentIssues.isEmpty { documentIssues = [] }
        linesBefore += lineCount
        lineCount = 0
        lineSlots.removeAll(keepingCapacity: true)
        headText.removeAll(keepingCapacity: true)
        for index in headSlots.indices where headSlots[index].start >= 0 {
            let start = Int(headSlots[index].start), end = start + Int(headSlots[index].length)
            headSlots[index].start = Int32(headText.count)
            headText.append(contentsOf: text[start..<end])
        }
        swap(&text, &headText)
    }

    static func key(_ head: FieldValues, spec: MessageSpec) -> String? {
        for name in spec.keyFields {
            if let field = spec.document.head.index(of: name), let text = head.text(field), !text.isEmpty {
                return "\(name)=\(text)"
            }
        }
        return nil
    }

    private func overflow(_ why: String) {
        guard !documentOverflow else { return }
        documentOverflow = true
        documentIssues.append(ValidationIssue(code: "LIM001", message: "the document is too large: \(why)",
                                    line: documentPosition.line, column: documentPosition.column, documentIndex: documentCount))
        fieldSlot = -1
    }

    // MARK: Issues

    private func unexpected(_ element: XMLStartElement, inside place: String) {
        skipDepth = element.depth
        let inDocument = documentDepth > 0
        let count = inDocument ? documentUnexpected : messageUnexpected
        if inDocument { documentUnexpected += 1 } else { messageUnexpected += 1 }
        if count >= limits.maxUnexpectedElements {
            guard count == limits.maxUnexpectedElements else { return }
            var found = issue(element, "LIM002", "more than \(limits.maxUnexpectedElements) unexpected elements in \(place); the rest are skipped unreported",
                              field: nil)
            if inDocument {
                found.documentIndex = documentCount
                documentIssues.append(found)
            } else {
                messageIssues.append(found)
            }
            return
        }
        let name = element.localName.string ?? "?"
        let tolerated = documentDepth > 0 && MessageCatalog.all[documentMessage].toleratedElements.contains(name)
        let found = tolerated
            ? issue(element, "WRN006", "\(name) is not in the official schema of \(place) (an official sample carries it); ignored", field: name,
                    severity: .warning)
            : issue(element, "SCH007", "unexpected element \(name) in \(place)", field: name)
        if documentDepth > 0 {
            var found = found
            found.documentIndex = documentCount
            documentIssues.append(found)
        } else {
            messageIssues.append(found)
        }
    }

    private func issue(_ element: XMLStartElement, _ code: String, _ message: String, field: String?, severity: Severity = .error) -> ValidationIssue {
        ValidationIssue(code: code, severity: severity, message: message, field: field,
              line: element.position.line, column: element.position.column)
    }
}
