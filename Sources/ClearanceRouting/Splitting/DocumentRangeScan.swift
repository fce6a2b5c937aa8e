import CEBModel
import XMLStreaming

/// One pass over a message fed piece by piece: where each document begins and ends
/// (``DocumentBoundaryScanner``) and the frame parts are built around. ``MessageSplitter`` reads a
/// stored message through it; a forwarder feeds it the pieces it decodes, so a new batch's
/// documents are located in the same read of the store, not in a second one.
final class DocumentRangeScan {
    private let scanner: DocumentBoundaryScanner
    private let parser: XMLPushParser
    private var bases: [Int] = []
    private var total = 0
    /// The first failure: nothing more is parsed after it.
    private(set) var failure: MessageSplitError?

    init(spec: MessageSpec) {
        scanner = DocumentBoundaryScanner(documentElement: spec.document.element)
        parser = XMLPushParser(limits: CEBLimits.standard.xml, handler: scanner)
        scanner.offset = { [unowned parser] in parser.bytesConsumed }
    }

    /// The next piece of the message; `last` ends it.
    func feed(_ piece: [UInt8], last: Bool) {
        guard failure == nil else { return }
        bases.append(total)
        total += piece.count
        scanner.willFeed(piece)
        do throws(XMLStreamError) {
            try parser.feed(piece)
            if last { try parser.finish() }
        } catch {
            failure = MessageSplitError("the stored message is not readable XML: \(error)")
        }
    }

    /// Every document's byte range in the whole message, and its frame (or why there is none).
    func result() throws(MessageSplitError) -> (documents: [Range<Int>], frame: Result<MessageFrame, MessageSplitError>) {
        if let failure { throw failure }
        if let failure = scanner.failure { throw MessageSplitError("document boundaries not found: \(failure)") }
        let (bases, total, scanner) = (bases, total, scanner)
        let frame = Result { () throws(MessageSplitError) -> MessageFrame in try MessageFrame(bases: bases, total: total, scanner: scanner) }
        return (scanner.documents, frame)
    }
}
