import CEBModel
import XMLStreaming

/// Receives a message's documents once every in-message rule has judged them.
public protocol ValidationObserver: AnyObject {
    /// A message's root element opened.
    func messageStarted(_ header: MessageHeader)
    /// One document and all its issues (schema and customs rules), after the options applied.
    /// `decode` builds the typed document, valid only during the call: call it when needed.
    ///
    /// A long CEB607 consolidated waybill (over ``CEBLimits/linesPerPart`` lines) comes in parts:
    /// several calls for one document, each with its head and the next lines and the issues
    /// found in them, all but the last with ``DocumentContext/continues`` (see
    /// ``CEBDocumentSink/acceptsDocumentParts``). Count documents on the last call; a document is
    /// invalid when any of its parts has an error.
    func validated(_ decode: () -> CEBDocument, context: DocumentContext)
    /// The message closed; `issues` are the message-level ones (envelope, signature presence).
    func messageFinished(_ envelope: MessageEnvelope)
}

extension ValidationObserver {
    public func messageStarted(_ header: MessageHeader) {}
}

/// Validates one message as it streams: schema-level checks and customs rules on every
/// document, then message-level checks, reporting each document the moment it closes.
///
/// ```swift
/// let validator = MessageValidator(options: .init(), observer: report)
/// try validator.feed(chunk) ... try validator.finish()
/// ```
public final class MessageValidator {
    let decoder: CEBDecoder

    /// Creates a validator reporting to `observer` (held strongly).
    /// - Parameter threading: `.parserThread` overlaps XML parsing with the checks on a second core
    ///   (for large inputs); callbacks stay on the caller's thread either way.
    public init(options: ValidationOptions = ValidationOptions(), threading: CEBDecoder.Threading = .inline,
                observer: any ValidationObserver) {
        let sink = Sink(options: options, observer: observer)
        decoder = CEBDecoder(limits: options.limits, rules: CustomsRules(perOrderLimit: options.perOrderLimit),
                             threading: threading, sink: sink)
    }

    /// Validates the next chunk.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) { try decoder.feed(bytes) }

    /// Validates the next chunk.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) { try decoder.feed(bytes) }

    /// Ends the message.
    public func finish() throws(XMLStreamError) { try decoder.finish() }

    /// Bytes consumed so far.
    public var bytesConsumed: Int { decoder.bytesConsumed }

    /// Validates a whole file (or standard input for `-`), streaming, parsing on a second thread.
    public static func validate(path: String, options: ValidationOptions = ValidationOptions(),
                                observer: any ValidationObserver) throws(XMLStreamError) {
        let stream = try ByteStream(path: path)
        let validator = MessageValidator(options: options, threading: .parserThread, observer: observer)
        try stream.forEachChunk { (chunk) throws(XMLStreamError) in try validator.feed(chunk) }
        try validator.finish()
    }

    final class Sink: CEBDocumentSink {
        let options: ValidationOptions
        let observer: any ValidationObserver

        init(options: ValidationOptions, observer: any ValidationObserver) {
            self.options = options
            self.observer = observer
        }

        func messageStarted(_ header: MessageHeader) { observer.messageStarted(header) }

        /// Validation never needs a document whole: long consolidated waybills stream in parts.
        var acceptsDocumentParts: Bool { true }

        func document(_ decode: () -> CEBDocument, context: DocumentContext) {
            var context = context
            context.issues = options.judged(context.issues)
            observer.validated(decode, context: context)
        }

        func messageFinished(_ envelope: MessageEnvelope) {
            var envelope = envelope
            if envelope.declaredDocumentCount > 0 && !envelope.hasSignature {
                let position = envelope.header.position
                envelope.issues.append(ValidationIssue(
                    code: "WRN002", severity: options.requireSignature ? .error : .warning,
                    message: "\(envelope.declaredDocumentCount) document(s) have appStatus 2 (declared) but the message carries no ds:Signature; sign it before sending",
                    field: "Signature", line: position.line, column: position.column))
            }
            envelope.issues = options.judged(envelope.issues)
            observer.messageFinished(envelope)
        }
    }
}
