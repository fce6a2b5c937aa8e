import ClearanceStore
import XMLStreaming

/// Why an ingest stopped. Chunks committed before the failure stay committed (whole chunks
/// only); the message row stays incomplete until an ingest of the same input runs to the end.
public enum IngestError: Error, Sendable, CustomStringConvertible {
    /// The XML itself was refused (not well-formed, limits, DOCTYPE…).
    case xml(XMLStreamError)
    /// The store failed.
    case store(StoreError)
    /// Reading the input failed.
    case io(String)
    /// The root element is not a CEB message.
    case notACEBMessage(root: String)
    /// The message root has no `guid` attribute: it cannot be stored.
    case missingGuid
    /// No sender is known: the message has no `BaseTransfer/copCode` and none was given.
    case missingSender
    /// The message's `BaseTransfer/copCode` differs from the sender its declarations were stored under.
    case senderMismatch(expected: String, found: String)
    /// ``BatchIngestor/feed(_:)-…`` or ``BatchIngestor/finish()`` was called after ``BatchIngestor/finish()``.
    case finished

    public var description: String {
        switch self {
        case .xml(let e): "\(e)"
        case .store(let e): "\(e)"
        case .io(let why): "cannot read input: \(why)"
        case .notACEBMessage(let root): "root element <\(root)> is not a CEB message"
        case .missingGuid: "the message root has no guid attribute; it cannot be stored"
        case .missingSender: "the message has no BaseTransfer/copCode and no sender was given"
        case .senderMismatch(let expected, let found):
            "BaseTransfer/copCode is \(found) but the message was stored as sent by \(expected)"
        case .finished: "the ingest is already finished"
        }
    }

    /// A stable code for reports, in the style of ``CEBModel/ValidationIssue/code``.
    public var code: String {
        switch self {
        case .xml(let e): e.code
        case .store: "ING100"
        case .io: "ING101"
        case .notACEBMessage: "ING102"
        case .missingGuid: "ING103"
        case .missingSender: "ING104"
        case .senderMismatch: "ING105"
        case .finished: "ING106"
        }
    }
}
