import Foundation

/// A message too large to hold in memory (a batch of up to hundreds of MB), stored while it
/// streams: its row first (incomplete), then its raw bytes in numbered parts written with the
/// declaration chunks, then its digest and size (complete).
///
/// See ``Store/beginStreamedMessage(_:)``.
public struct StreamedMessage: Sendable, Hashable {
    /// Envelope guid.
    public var guid: String
    /// Message type, e.g. `"CEB621"`.
    public var messageType: String
    /// Sending enterprise code (`BaseTransfer/copCode`); also the sender of its declarations.
    public var senderCode: String
    /// Inbound or outbound.
    public var direction: MessageDirection
    /// When Clearance received the message.
    public var receivedAt: Date
    /// Signature check result, e.g. `"unsigned"`.
    public var signatureVerdict: String

    /// Creates the description of a message about to stream.
    public init(guid: String, messageType: String, senderCode: String, direction: MessageDirection,
                receivedAt: Date, signatureVerdict: String) {
        self.guid = guid
        self.messageType = messageType
        self.senderCode = senderCode
        self.direction = direction
        self.receivedAt = receivedAt
        self.signatureVerdict = signatureVerdict
    }
}

/// What ``Store/beginStreamedMessage(_:)`` found.
public struct StreamedMessageStart: Sendable, Hashable {
    /// How the message row was found.
    public enum State: String, Sendable, Hashable {
        /// No row had this guid: a new, incomplete row was created.
        case new
        /// An incomplete row was left by an interrupted ingest: it is resumed (parts are rewritten
        /// in place, declarations already stored are skipped).
        case resumed
        /// The message is already stored complete: its parts need not be written again.
        case complete
    }
    /// Row id in `messages`.
    public var messageId: Int64
    /// New, resumed or already complete.
    public var state: State
    /// Digest of the stored copy when ``state`` is `complete`.
    public var storedSHA256: String?
}

/// One piece of a streamed message's raw bytes. Part *n* holds bytes `[n·size, (n+1)·size)` of
/// the message for the part size the writer chose (the last part may be shorter).
public struct MessagePart: Sendable, Hashable {
    /// 0-based part number.
    public var index: Int
    /// The part's bytes.
    public var bytes: [UInt8]

    /// Creates a part.
    public init(index: Int, bytes: [UInt8]) {
        self.index = index
        self.bytes = bytes
    }
}

/// One transaction of a streamed ingest: the raw parts read so far and the declarations decoded
/// so far (each with `messageGuid` equal to ``messageGuid``). Either may be empty.
public struct StreamedChunk: Sendable {
    /// Envelope guid of the streamed message.
    public var messageGuid: String
    /// The message's sender (must equal the stored row's `sender_code`).
    public var senderCode: String
    /// Raw parts read since the previous chunk, in increasing part order.
    public var parts: [MessagePart]
    /// Valid declarations decoded since the previous chunk.
    public var declarations: [DeclarationRecord]

    /// More lines of declarations stored by an earlier chunk of the same message (a CEB607
    /// consolidated waybill streamed in parts): each record's head identifies its declaration (kind,
    /// sender, ``DeclarationRecord/dedupKey``; the head is not written again), its ``DeclarationRecord/lines``
    /// are added, skipped when already stored.
    public var moreLines: [DeclarationRecord]

    /// Creates a chunk.
    public init(messageGuid: String, senderCode: String, parts: [MessagePart] = [], declarations: [DeclarationRecord] = [],
                moreLines: [DeclarationRecord] = []) {
        self.messageGuid = messageGuid
        self.senderCode = senderCode
        self.parts = parts
        self.declarations = declarations
        self.moreLines = moreLines
    }
}
