import ArgumentParser
import CEBModel
import ClearanceRules
import XMLStreaming

/// `clearance validate`: checks CEB messages against the schemas and the customs rules.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate CEB messages: well-formedness, schema, and the customs rules that need only the message.",
        discussion: """
            Each problem is printed with its file, line:column, document number and key, field, a stable code \
            and a sentence; a summary line ends the run. Exit code 0 when every document is valid (warnings \
            allowed), 1 when any is invalid, 2 on usage or I/O errors.
            """
    )

    @Argument(help: "CEB XML files to validate; '-' reads standard input.")
    var files: [String] = []

    @OptionGroup var fileList: FileListOption

    @Option(help: "Output format: text or json (JSON lines).")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(help: "A message with declared documents (appStatus 2) must be signed.")
    var requireSignature = false

    @Flag(name: .shortAndLong, help: "Print only the summary.")
    var quiet = false

    func run() throws {
        let files = try fileList.paths(after: self.files)
        let output = OutputBuffer()
        let printer = IssuePrinter(format: format, output: output)
        let summary = ValidationSummary()
        let options = ValidationOptions(strict: strict, requireSignature: requireSignature)
        let progress = Progress()
        var ioFailure = false
        for file in files {
            let observer = FileObserver(file: file, printer: quiet ? nil : printer, summary: summary, progress: progress)
            do throws(XMLStreamError) {
                let stream = try ByteStream(path: file)
                observer.total = stream.size
                let validator = MessageValidator(options: options, threading: .parserThread, observer: observer)
                observer.bytes = { validator.bytesConsumed }
                try stream.forEachChunk { (chunk) throws(XMLStreamError) in try validator.feed(chunk) }
                try validator.finish()
            } catch {
                if case .io = error.reason {
                    ioFailure = true
                    summary.unreadable += 1
                } else {
                    summary.malformed += 1
                }
                let issue = ValidationIssue(code: error.code, message: error.message, line: error.position?.line, column: error.position?.column)
                summary.errors += 1
                printer.print(issue, file: file)
            }
            summary.files += 1
        }
        progress.finish()
        summary.seconds = progress.elapsed
        switch format {
        case .text: output.line(summary.text)
        case .json: output.line(summary.json)
        }
        output.flush()
        if ioFailure { throw Exit.usage }
        if !summary.allValid { throw Exit.invalid }
    }
}

/// Counts what a validation run saw.
final class ValidationSummary {
    var files = 0, messages = 0, documents = 0, invalidDocuments = 0, invalidMessages = 0
    var errors = 0, warnings = 0, malformed = 0, unreadable = 0
    var seconds = 0.0

    var allValid: Bool { errors == 0 }

    var text: String {
        "validated \(files) file(s), \(messages) message(s), \(documents) document(s): \(documents - invalidDocuments) valid, "
            + "\(invalidDocuments) invalid; \(errors) error(s), \(warnings) warning(s)"
            + (malformed > 0 ? "; \(malformed) not well-formed" : "") + (unreadable > 0 ? "; \(unreadable) unreadable" : "")
            + " in \(Int(seconds * 1000)) ms"
    }

    var json: String {
        var line = JSONLine(summaryOfFiles: files)
        line.add("messages", messages)
        line.addDocumentCounts(documents: documents, invalid: invalidDocuments, errors: errors, warnings: warnings)
        line.add("malformed", malformed)
        line.add("unreadable", unreadable)
        line.add("milliseconds", Int(seconds * 1000))
        return line.line
    }
}

/// Prints each document's issues as it is validated, and counts.
final class FileObserver: ValidationObserver {
    let file: String
    let printer: IssuePrinter?
    let summary: ValidationSummary
    let progress: Progress
    var total: Int?
    var bytes: () -> Int = { 0 }
    /// Whether a part of the document being read had an error.
    private var partsInvalid = false

    init(file: String, printer: IssuePrinter?, summary: ValidationSummary, progress: Progress) {
        self.file = file
        self.printer = printer
        self.summary = summary
        self.progress = progress
    }

    func validated(_ decode: () -> CEBDocument, context: DocumentContext) {
        record(context.issues)
        // A consolidated waybill streamed in parts is one document, invalid when any part is.
        partsInvalid = partsInvalid || context.issues.contains(where: { $0.severity == .error })
        if context.continues { return }
        summary.documents += 1
        if partsInvalid { summary.invalidDocuments += 1 }
        partsInvalid = false
        if summary.documents & 1023 == 0 {
            progress.update(bytes: bytes(), total: total, documents: summary.documents, label: file)
        }
    }

    func messageFinished(_ envelope: MessageEnvelope) {
        summary.messages += 1
        record(envelope.issues)
        if envelope.issues.contains(where: { $0.severity == .error }) { summary.invalidMessages += 1 }
    }

    private func record(_ issues: [ValidationIssue]) {
        for issue in issues {
            if issue.severity == .error { summary.errors += 1 } else { summary.warnings += 1 }
            printer?.print(issue, file: file)
        }
    }
}
