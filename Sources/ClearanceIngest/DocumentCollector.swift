import CEBModel
import ClearanceRules
import ClearanceStore
import XMLStreaming

/// The rows of one chunk transaction while it fills.
struct PendingChunk {
    var parts: [MessagePart] = []
    var partBytes = 0
    var declarations: [DeclarationRecord] = []
    var receipts: [ReceiptRecord] = []

    var isEmpty: Bool { parts.isEmpty && declarations.isEmpty && receipts.isEmpty }
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

    let acceptsReceipts: Bool

    init(chunkSize: Int, acceptsReceipts: Bool = true, observer: (any IngestObserver)?) {
        self.chunkSize = chunkSize
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
        summary.documents += 1
        if !context.issues.contains(where: { $0.severity == .error }) {
            let mapped = DeclarationMapper.map(decode(), messageGuid: header?.guid ?? "")
            switch mapped {
            case .declaration(let record):
                if let issue = Self.repeatedLineNumber(record, context: context) {
                    context.issues.append(issue)
                } else {
                    filling.declarations.append(record)
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
