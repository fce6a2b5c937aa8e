import CEBModel
import ClearanceRules
import ClearanceStore
import XMLStreaming

/// The rows of one chunk transaction while it fills, and what follows it once committed.
struct PendingChunk {
    var parts: [MessagePart] = []
    var partBytes = 0
    var declarations: [DeclarationRecord] = []
    var receipts: [ReceiptRecord] = []
    /// Further lines of a declaration begun in an earlier chunk (a consolidated waybill in parts).
    var moreLines: [DeclarationRecord] = []
    /// Lines held in ``declarations`` and ``moreLines``.
    var lineCount = 0
    /// Streamed declarations begun in this or an earlier chunk whose later part had an error:
    /// removed once this chunk is committed.
    var withdrawn: [DeclarationRecord] = []
    /// Consolidated waybills (heads) whose last lines are in this chunk or an earlier one: linked
    /// to their export inventories once this chunk is committed.
    var manifests: [DeclarationRecord] = []

    var isEmpty: Bool { parts.isEmpty && declarations.isEmpty && receipts.isEmpty && hasNoRows }
    /// Nothing for the store beyond raw parts and declarations/receipts.
    var hasNoRows: Bool { moreLines.isEmpty && withdrawn.isEmpty && manifests.isEmpty }
}

/// The document streaming in parts (a CEB607 consolidated waybill of more than
/// ``CEBLimits/linesPerPart`` lines): its head as stored, and what its parts so far were.
struct StreamedDocument {
    /// The head record, without lines (once a valid first part is mapped).
    var head: DeclarationRecord?
    /// A part had an error: later parts are not stored, and what was stored is withdrawn.
    var failed = false
    /// The last line number stored, so numbers must increase across parts (no set of every gnum is kept).
    var lastGnum: Int?
}

/// Receives validated documents from the ``MessageValidator`` (synchronously, during a feed),
/// maps the valid ones and cuts chunks of ``IngestOptions/chunkSize`` declarations.
final class DocumentCollector: ValidationObserver {
    let chunkSize: Int
    weak var observer: (any IngestObserver)?
    var header: MessageHeader?
    var envelope: MessageEnvelope?
    var filling = PendingChunk()
    /// Full chunks waiting to be handed to the store, oldest first.
    var ready: [PendingChunk] = []
    var summary = IngestSummary()
    /// The document streaming in parts, between its first and last part.
    var streaming: StreamedDocument?
    /// Lines a chunk may hold before it is cut (a consolidated waybill's parts fill chunks by lines).
    let maxChunkLines: Int

    let acceptsReceipts: Bool

    init(chunkSize: Int, maxChunkLines: Int = 4_096, acceptsReceipts: Bool = true, observer: (any IngestObserver)?) {
        self.chunkSize = chunkSize
        self.maxChunkLines = max(1, maxChunkLines)
        self.acceptsReceipts = acceptsReceipts
        self.observer = observer
    }

    func messageStarted(_ header: MessageHeader) {
        self.header = header
        summary.messageGuid = header.guid
        summary.messageType = header.spec?.number
    }

    func validated(_ decode: () -> CEBDocument, context: DocumentContext) {
        var context = context
        if context.isPart { return validatedPart(decode, context: context) }
        summary.documents += 1
        if !context.issues.contains(where: { $0.severity == .error }) {
            let mapped = DeclarationMapper.map(decode(), messageGuid: header?.guid ?? "")
            switch mapped {
            case .declaration(let record):
                if let issue = Self.repeatedLineNumber(record, context: context) {
                    context.issues.append(issue)
                } else {
                    filling.declarations.append(record)
                    if record.kind == .manifest { filling.manifests.append(Self.head(record)) }
                    if filling.declarations.count >= chunkSize { cut() }
                }
            case .receipt(let receipt):
                if acceptsReceipts {
                    filling.receipts.append(receipt)
                } else {
                    context.issues.append(ValidationIssue(
                        code: "RCP001", message: "receipts are accepted only from an authority's account or inbox, not in an upload",
                        line: context.position.line, column: context.position.column, documentIndex: context.index, key: context.key))
                }
            case .other:
                summary.otherDocuments += 1
            }
        }
        for issue in context.issues {
            if issue.severity == .error { summary.errors += 1 } else { summary.warnings += 1 }
        }
        if context.issues.contains(where: { $0.severity == .error }) { summary.invalidDocuments += 1 }
        observer?.documentValidated(context)
    }

    func messageFinished(_ envelope: MessageEnvelope) {
        self.envelope = envelope
        for issue in envelope.issues {
            if issue.severity == .error { summary.errors += 1 } else { summary.warnings += 1 }
        }
        observer?.messageFinished(envelope)
    }

    /// One part of a document streamed in parts: its first valid part stores the head with its
    /// lines, later parts add lines to it; an error in any part withdraws what was stored of it.
    /// The document counts once, on its last part.
    private func validatedPart(_ decode: () -> CEBDocument, context: DocumentContext) {
        var context = context
        if context.firstLine == 0 { streaming = StreamedDocument() }
        var document = streaming ?? StreamedDocument(failed: true)
        if !document.failed && !context.issues.contains(where: { $0.severity == .error }) {
            if case .declaration(let record) = DeclarationMapper.map(decode(), messageGuid: header?.guid ?? "") {
                if let issue = Self.decreasingLineNumber(record, after: document.lastGnum, context: context) {
                    context.issues.append(issue)
                } else {
                    document.lastGnum = record.lines.last?.gnum ?? document.lastGnum
                    if document.head == nil {
                        filling.declarations.append(record)
                        document.head = Self.head(record)
                    } else {
                        filling.moreLines.append(record)
                    }
                    filling.lineCount += record.lines.count
                    if filling.lineCount >= maxChunkLines { cut() }
                }
            }
        }
        if !document.failed && context.issues.contains(where: { $0.severity == .error }) {
            document.failed = true
            if let head = document.head { filling.withdrawn.append(head) }
        }
        if !context.continues {
            summary.documents += 1
            if document.failed { summary.invalidDocuments += 1 }
            else if let head = document.head, head.kind == .manifest { filling.manifests.append(head) }
            streaming = nil
        } else {
            streaming = document
        }
        for issue in context.issues {
            if issue.severity == .error { summary.errors += 1 } else { summary.warnings += 1 }
        }
        observer?.documentValidated(context)
    }

    /// A record's head alone: what identifies its declaration in the store.
    static func head(_ record: DeclarationRecord) -> DeclarationRecord {
        var head = record
        head.lines = []
        return head
    }

    /// A document streamed in parts keeps no set of its line numbers: they must increase, line by
    /// line and across parts (as customs numbers them, from 1), so none can repeat.
    static func decreasingLineNumber(_ record: DeclarationRecord, after: Int?, context: DocumentContext) -> ValidationIssue? {
        var last = after
        for (offset, line) in record.lines.enumerated() {
            if let last, line.gnum <= last {
                return ValidationIssue(
                    code: "ING002", message: "line number gnum \(line.gnum) does not follow \(last); the lines of a consolidated waybill of more than one part must be numbered in increasing order",
                    field: "\(context.spec.document.lines?.element ?? "line")[\(context.firstLine + offset + 1)].gnum",
                    line: context.position.line, column: context.position.column, documentIndex: context.index, key: context.key)
            }
            last = line.gnum
        }
        return nil
    }

    /// The input stopped inside a document streaming in parts: what was stored of it is withdrawn
    /// (a chunk of its own, after the chunks already cut), as a document with an error would be.
    func abandonStreaming() {
        guard let document = streaming else { return }
        streaming = nil
        guard !document.failed, let head = document.head else { return }
        var withdrawal = PendingChunk()
        withdrawal.withdrawn = [head]
        ready.append(withdrawal)
    }

    /// Moves the filling chunk to ``ready``.
    func cut() {
        ready.append(filling)
        filling = PendingChunk()
    }

    /// Lines are identified by `gnum` within their declaration: a repeat cannot be stored.
    static func repeatedLineNumber(_ record: DeclarationRecord, context: DocumentContext) -> ValidationIssue? {
        var seen = Set<Int>()
        for line in record.lines where !seen.insert(line.gnum).inserted {
            return ValidationIssue(
                code: "ING001", message: "line number gnum \(line.gnum) appears twice; each line needs its own gnum",
                field: "gnum", line: context.position.line, column: context.position.column,
                documentIndex: context.index, key: context.key)
        }
        return nil
    }
}
