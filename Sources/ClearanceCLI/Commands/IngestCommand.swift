import ArgumentParser
import CEBModel
import ClearanceIngest
import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation

/// `clearance ingest`: streams CEB messages through validation into the store.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Validate CEB messages and store them: the raw message, its valid declarations, its receipts.",
        discussion: """
            Each file is one message (a single document or a batch of any size), parsed as it streams and \
            written in chunk transactions while parsing continues. Problems are reported exactly as by \
            'validate'; documents with errors are not stored (the raw message keeps them). A killed ingest \
            leaves whole chunks only: run it again to complete it (nothing is stored twice). \
            With --route, each stored message then goes through the clearance flow as a whole (the same \
            cross-message rules and routing rules as 'submit'): it is queued for its destinations when every \
            document may go, held back otherwise (invalid documents, refused or waiting inventories), with \
            the reason printed and in the trace. \
            Exit code 0 when every document is valid and stored (and, with --route, every message routed or \
            awaiting documents), 1 when any input is invalid or refused, 2 on usage, I/O or store errors.
            """
    )

    @Argument(help: "CEB XML files to ingest; '-' reads standard input.")
    var files: [String]

    @OptionGroup var store: StoreOption

    @Option(help: "Output format: text or json (JSON lines).")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(help: "A message with declared documents (appStatus 2) must be signed.")
    var requireSignature = false

    @Option(help: "Declarations per transaction.")
    var chunkSize = 2_000

    @Flag(name: .shortAndLong, help: "Print only the summary.")
    var quiet = false

    @Flag(help: "Route each stored message through the clearance flow (see --rules), after the signature gate.")
    var route = false

    @Flag(name: .customLong("INSECURE-import-receipts"),
          help: "Store receipts found in the files with no authority or signature check (an operator's migration). Without it they are refused (RCP001): receipts come from an authority ('clearance receive --from').")
    var importReceipts = false

    @OptionGroup var rules: RulesOption

    /// PostgreSQL: makes partitions ahead of the newest ids before each file, so a batch's lines
    /// land in a partition of their own rather than the default one (what a batch larger than the
    /// partitions made ahead leaves there is moved by the next `clearance partitions` or `serve`).
    private static func makePartitionsAhead(_ store: any Store) async throws {
        guard store.engine == .postgresql, let partitioned = store as? any PartitionStore else { return }
        do {
            _ = try await partitioned.maintainPartitions(PartitionPolicy(), now: Date())
        } catch {
            OutputBuffer.standardError("clearance: partition maintenance failed (rows go to the default partition): \(error)\n")
        }
    }

    func run() async throws {
        MallocArenas.limit()
        let output = OutputBuffer()
        let printer = IssuePrinter(format: format, output: output)
        let progress = Progress()
        let watcher = route ? try rules.watcher() : nil
        let opened = try await store.open()
        var forwarder: BatchForwarder?
        if let watcher {
            guard let flowStore = opened as? any ClearanceFlowStore else { throw Exit.usage }
            forwarder = BatchForwarder(store: flowStore, routing: { watcher.current() })
        }
        var total = IngestTotals()
        var failed = false, ioFailure = false
        for file in files {
            try await Self.makePartitionsAhead(opened)
            let reporter = IngestReporter(file: file, printer: quiet ? nil : printer, progress: progress)
            var options = IngestOptions(
                validation: ValidationOptions(strict: strict, requireSignature: requireSignature), chunkSize: chunkSize)
            options.threading = .parserThread
            options.acceptsReceipts = importReceipts
            do throws(IngestError) {
                let summary = try await BatchIngestor.ingest(
                    path: file, store: opened, options: options, observer: reporter,
                    onRead: { bytes, size in reporter.read(bytes: bytes, total: size) })
                total.add(summary)
                if summary.errors > 0 { failed = true }
                if let forwarder, let guid = summary.messageGuid {
                    do {
                        // The same gate as uploads and single messages: a sender with a registered
                        // certificate (or requireSignature) must have signed the whole message.
                        var refusal: CrossMessageIssue?
                        if let access = opened as? any AccessStore {
                            let decision = try await StreamingSignatureCheck.decide(storedMessage: guid, store: access, gate: InboundSignatureGate())
                            if let refused = decision.refusal {
                                refusal = refused
                                try await forwarder.refuse(messageGuid: guid, refused)
                                output.line("\(file): \(summary.messageType ?? "") \(guid) refused (signature \(decision.verdict)): \(refused)")
                                failed = true
                            }
                        }
                        if refusal == nil {
                            let outcome = try await forwarder.forward(messageGuid: guid)
                            output.line("\(file): \(outcome.messageType) \(guid) \(outcome.summary)")
                            for issue in outcome.issues.prefix(50) { output.line("  \(issue)") }
                            switch outcome.status {
                            case .refused, .invalid: failed = true
                            default: break
                            }
                        }
                    } catch {
                        output.line("\(file): not routed: \(error)")
                        ioFailure = true
                    }
                }
            } catch {
                total.add(reporter.last)
                total.failedFiles += 1
                switch error {
                case .io, .store: ioFailure = true
                default: failed = true
                }
                var position: (Int?, Int?) = (nil, nil)
                if case .xml(let xml) = error { position = (xml.position?.line, xml.position?.column) }
                printer.print(ValidationIssue(code: error.code, message: error.description,
                                              line: position.0, column: position.1), file: file)
            }
            total.files += 1
        }
        progress.finish()
        await opened.close()
        total.seconds = progress.elapsed
        output.line(format == .json ? total.json(store: store.display) : total.text(store: store.display))
        output.flush()
        if ioFailure { throw Exit.usage }
        if failed { throw Exit.invalid }
    }
}

/// Prints issues as documents are validated, and draws progress.
final class IngestReporter: IngestObserver {
    let file: String
    let printer: IssuePrinter?
    let progress: Progress
    private(set) var last = IngestSummary()
    private var documents = 0
    private var bytes = 0
    private var total: Int?
    /// Whether a part of the document being read had an error.
    private var partsInvalid = false

    init(file: String, printer: IssuePrinter?, progress: Progress) {
        self.file = file
        self.printer = printer
        self.progress = progress
    }

    func documentValidated(_ context: DocumentContext) {
        for issue in context.issues { printer?.print(issue, file: file) }
        // A consolidated waybill streamed in parts is one document, invalid when any part is.
        partsInvalid = partsInvalid || context.issues.contains(where: { $0.severity == .error })
        if context.continues { return }
        documents += 1
        last.documents = documents
        if partsInvalid { last.invalidDocuments += 1 }
        partsInvalid = false
    }

    func messageFinished(_ envelope: MessageEnvelope) {
        for issue in envelope.issues { printer?.print(issue, file: file) }
    }

    func chunkCommitted(_ summary: IngestSummary) {
        last = summary
    }

    func read(bytes: Int, total: Int?) {
        self.bytes = bytes
        self.total = total
        last.bytes = bytes
        progress.update(bytes: bytes, total: total, documents: documents, label: file)
    }
}

/// Totals over every file of a run.
struct IngestTotals {
    var files = 0, failedFiles = 0
    var bytes = 0, documents = 0, invalid = 0, other = 0, errors = 0, warnings = 0
    var inserted = 0, skipped = 0, lines = 0, receiptsInserted = 0, receiptsSkipped = 0, chunks = 0
    var resumed = 0
    /// CEB607 consolidated waybills: parcels linked to stored export inventories, lines naming
    /// inventories not stored (with a few examples), and streamed waybills withdrawn for an error.
    var manifestLinks = ManifestLinkReport()
    var withdrawn = 0
    var seconds = 0.0

    mutating func add(_ s: IngestSummary) {
        bytes += s.bytes
        documents += s.documents
        invalid += s.invalidDocuments
        other += s.otherDocuments
        errors += s.errors
        warnings += s.warnings
        inserted += s.declarationsInserted
        skipped += s.declarationsSkipped
        lines += s.linesInserted
        receiptsInserted += s.receiptsInserted
        receiptsSkipped += s.receiptsSkipped
        chunks += s.chunksCommitted
        if s.start == .resumed { resumed += 1 }
        manifestLinks.add(s.manifestLinks)
        withdrawn += s.declarationsWithdrawn
    }

    /// What the consolidated waybills of the run found, or nothing when there were none.
    var manifestText: String {
        let m = manifestLinks
        guard m.lines > 0 || withdrawn > 0 else { return "" }
        return "; consolidated waybills: \(m.linkedLines) of \(m.lines) parcel(s) linked to stored export inventories"
            + (m.unknownLines > 0 ? ", \(m.unknownLines) name inventories not stored (e.g. \(m.unknownExamples.joined(separator: ", ")))" : "")
            + (m.otherParcelLines > 0 ? ", \(m.otherParcelLines) name an inventory of another waybill" : "")
            + (withdrawn > 0 ? ", \(withdrawn) withdrawn (a later part had an error)" : "")
    }

    var perSecond: Int { seconds > 0 ? Int(Double(documents) / seconds) : 0 }

    func text(store: String) -> String {
        "ingested \(files) file(s) (\(Progress.megabytes(bytes))) into \(store): \(documents) document(s), "
            + "\(documents - invalid) valid, \(invalid) invalid (not stored); declarations: \(inserted) stored, "
            + "\(skipped) already stored; \(lines) line(s); receipts: \(receiptsInserted) stored, \(receiptsSkipped) already stored; "
            + "\(chunks) chunk(s)" + (resumed > 0 ? ", \(resumed) resumed" : "") + (failedFiles > 0 ? "; \(failedFiles) file(s) failed" : "")
            + manifestText
            + "; \(errors) error(s), \(warnings) warning(s) in \(Int(seconds * 1000)) ms (\(perSecond) documents/s)"
    }

    func json(store: String) -> String {
        var line = JSONLine(summaryOfFiles: files)
        line.add("store", store)
        line.add("failedFiles", failedFiles)
        line.add("bytes", bytes)
        line.addDocumentCounts(documents: documents, invalid: invalid, errors: errors, warnings: warnings)
        line.add("declarationsStored", inserted)
        line.add("declarationsAlreadyStored", skipped)
        line.add("linesStored", lines)
        line.add("receiptsStored", receiptsInserted)
        line.add("receiptsAlreadyStored", receiptsSkipped)
        line.add("chunks", chunks)
        line.add("resumed", resumed)
        if manifestLinks.lines > 0 || withdrawn > 0 {
            line.add("manifestLines", manifestLinks.lines)
            line.add("manifestLinesLinked", manifestLinks.linkedLines)
            line.add("manifestLinesUnknownInventory", manifestLinks.unknownLines)
            line.add("manifestLinesOtherWaybill", manifestLinks.otherParcelLines)
            var examples = "["
            for (i, invtNo) in manifestLinks.unknownExamples.enumerated() {
                if i > 0 { examples += "," }
                JSONLine.quote(invtNo, into: &examples)
            }
            line.add("manifestUnknownInventoryExamples", raw: examples + "]")
            line.add("manifestsWithdrawn", withdrawn)
        }
        line.add("milliseconds", Int(seconds * 1000))
        return line.line
    }
}
