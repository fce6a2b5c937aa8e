import CEBModel
import ClearanceIngest
import ClearanceStore

/// Hears an ingest's per-document verdicts and keeps the problems for `GET /v1/batches/{id}/errors`.
/// At most ``maxStored`` problems are stored per batch (the counts stay exact).
final class BatchErrorCollector: IngestObserver {
    static let maxStored = 10_000
    let batchId: String
    private(set) var pending: [BatchErrorRecord] = []
    private(set) var stored = 0
    private(set) var errors = 0
    private(set) var warnings = 0

    init(batchId: String) { self.batchId = batchId }

    func documentValidated(_ context: DocumentContext) {
        for issue in context.issues { add(issue, document: context.index + 1, key: context.key) }
    }

    func messageFinished(_ envelope: MessageEnvelope) {
        for issue in envelope.issues { add(issue, document: 0, key: nil) }
    }

    private func add(_ issue: ValidationIssue, document: Int, key: String?) {
        if issue.severity == .error { errors += 1 } else { warnings += 1 }
        guard stored < Self.maxStored else { return }
        stored += 1
        pending.append(BatchErrorRecord(
            batchId: batchId, documentIndex: issue.documentIndex.map { $0 + 1 } ?? document, recordKey: issue.key ?? key,
            line: issue.line ?? 0, column: issue.column ?? 0, code: issue.code,
            severity: issue.severity == .error ? "error" : "warning", field: issue.field,
            message: PersonalDataScrubber.scrub(issue.message)))
    }

    /// Hands over the problems collected since the last call.
    func drain() -> [BatchErrorRecord] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }
}
