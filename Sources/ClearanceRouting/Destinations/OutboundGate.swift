import CEBModel
import ClearanceStore
import XMLStreaming

/// The last check before a message leaves for customs (or the cross-strait channel, which relays to
/// customs): the exact bytes about to be sent — after signing, before the transport envelope — are
/// decoded once more, and anything customs' own schema would refuse is dead-lettered instead of sent.
///
/// What it refuses, each with a stable code at the start of the dead-letter reason:
/// - `OUT001` structural errors (`SCH…`, `XML…`, `LIM…`): e.g. a part out of the official order;
///   or a root guid other than the one the message is sent under;
/// - `OUT002` no `ds:Signature` where customs requires one (CEB621/623/625/711) and no service key
///   to add it;
/// - `OUT003` more documents, lines or subscriptions than customs accepts in one message
///   (``CustomsLimits``). A message with too many *documents* is normally split before it gets here:
///   routing queues it to customs as parts of at most `maxDocuments` documents (``SplitRoutes``),
///   each its own outbox row and each checked here on its own signed bytes; one that reaches the gate
///   whole was queued whole (before splitting was built, or its split failed: a `split-failed` event
///   says why). A document with too many *lines* is never split (its totals and line numbers belong
///   together): the sender must send it as several documents.
/// - `OUT005` (raised by the ``DeliveryWorker`` before the gate) a part of a split message whose sender
///   signed the whole: the sender's signature cannot be kept on a part, and without a service key
///   Clearance cannot sign the part afresh.
///
/// (`OUT004`, the transport envelope's ids, is checked by the ``OutboundPreparer``.)
///
/// Value rules (`RUL…`, three-document match…) are the flow's business and are not run again: one
/// schema-only parse of a small message.
enum OutboundGate {
    /// Whether messages to `destination` pass the gate.
    static func applies(to destination: DestinationConfig) -> Bool {
        destination.authority == .customs || destination.authority == .crossStrait
    }

    /// Checks `bytes` (a bare CEB message, signed if it will be) for `destination`; `guid` is the guid it
    /// is sent under (the envelope's, the spool file's), which its root must carry.
    static func check(_ bytes: [UInt8], messageType: String, guid: String, destination: DestinationConfig) throws(DeliveryError) {
        let sink = Sink()
        let decoder = CEBDecoder(sink: sink)
        do throws(XMLStreamError) {
            try decoder.feed(bytes)
            try decoder.finish()
        } catch {
            throw refusal("OUT001", "\(messageType) is not well-formed XML (\(error.code) \(error.message)); customs would refuse it", destination)
        }
        let issues = sink.issues + (sink.envelope?.issues ?? [])
        let structural = issues.filter { issue in
            issue.severity == .error && ["SCH", "XML", "LIM"].contains(where: { issue.code.hasPrefix($0) })
        }
        if !structural.isEmpty {
            let shown = structural.prefix(3).map { "\($0.code) \($0.field.map { "\($0): " } ?? "")\($0.message)" }.joined(separator: "; ")
            let more = structural.count > 3 ? " (and \(structural.count - 3) more)" : ""
            throw refusal("OUT001", "\(messageType) fails the official schema: \(shown)\(more)", destination)
        }
        guard let spec = sink.spec, let envelope = sink.envelope else {
            throw refusal("OUT001", "\(messageType) is not a CEB message this service knows", destination)
        }
        if envelope.header.guid != guid {
            throw refusal("OUT001", "\(messageType) is sent as \(guid) but its root carries guid \(envelope.header.guid ?? "none")", destination)
        }
        if spec.requiresSignature && !envelope.hasSignature {
            throw refusal("OUT002", "customs requires a signature on \(spec.number) and the message is unsigned; configure --key/--cert", destination)
        }
        let limits = spec.customsLimits
        if let most = limits.maxDocuments, envelope.documentCount > most {
            throw refusal("OUT003", "\(spec.number) carries \(envelope.documentCount) documents; customs accepts at most \(most) per message "
                          + "(it was queued whole: routing splits such a message into parts for customs when it queues it, "
                          + "so this row predates splitting or its split failed, see the split-failed event; send smaller ones)",
                          destination)
        }
        if let most = limits.maxLinesPerDocument, let longest = sink.longest, longest.lines > most {
            throw refusal("OUT003", "\(spec.number) document \(longest.index + 1)\(longest.key.map { " (\($0))" } ?? "") has \(longest.lines) lines; "
                          + "customs accepts at most \(most) per document (Clearance does not split documents: their totals and line numbers "
                          + "belong together; send it as several documents)", destination)
        }
        if envelope.subscriptions.count > limits.maxSubscriptions {
            throw refusal("OUT003", "\(spec.number) carries \(envelope.subscriptions.count) BaseSubscribe blocks; customs accepts at most "
                          + "\(limits.maxSubscriptions)", destination)
        }
    }

    private static func refusal(_ code: String, _ why: String, _ destination: DestinationConfig) -> DeliveryError {
        DeliveryError("\(code) not sent to \(destination.name): \(why)", permanent: true, code: code)
    }

    /// Collects what the gate reads: issues, the longest document, the envelope; no typed documents.
    private final class Sink: CEBDocumentSink {
        var spec: MessageSpec?
        var issues: [ValidationIssue] = []
        var longest: (index: Int, lines: Int, key: String?)?
        var envelope: MessageEnvelope?

        func messageStarted(_ header: MessageHeader) { spec = header.spec }

        func document(_ decode: () -> CEBDocument, context: DocumentContext) {
            issues += context.issues
            if context.lineCount > (longest?.lines ?? -1) { longest = (context.index, context.lineCount, context.key) }
        }

        func messageFinished(_ envelope: MessageEnvelope) { self.envelope = envelope }
    }
}
