import Foundation

/// A step in a shipment's timeline. Open set; well-known names are provided.
public struct EventKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Written by the store for every newly stored message.
    public static let received = EventKind(rawValue: "received")
    public static let validated = EventKind(rawValue: "validated")
    public static let rejected = EventKind(rawValue: "rejected")
    public static let signed = EventKind(rawValue: "signed")
    public static let routed = EventKind(rawValue: "routed")
    public static let delivered = EventKind(rawValue: "delivered")
    /// Written by the store for every newly stored receipt; `code` is the `returnStatus`.
    public static let receipt = EventKind(rawValue: "receipt")
    public static let released = EventKind(rawValue: "released")
    /// A retail-import inventory waits for its order, payment or waybill.
    public static let awaitingDocuments = EventKind(rawValue: "awaiting-documents")
    /// Order, payment and waybill agree with the inventory (with its tax).
    public static let documentsMatched = EventKind(rawValue: "documents-matched")
    /// A party is dishonest on the credit list: the declaration waits for review (`CRD001`).
    public static let creditHold = EventKind(rawValue: "credit-hold")
    /// An operator released a held declaration after review (it is routed next).
    public static let creditReleased = EventKind(rawValue: "credit-released")
    /// Waiting inventories whose stored message could not be read back to release them: held for
    /// ops (`REL001`), who refuse them; the sender must send them again.
    public static let releaseFailed = EventKind(rawValue: "release-failed")
    /// No routing rule matched the message.
    public static let unrouted = EventKind(rawValue: "unrouted")
    /// A receipt that answers no declaration it may be linked to (kept, flagged).
    public static let unmatchedReceipt = EventKind(rawValue: "unmatched-receipt")
    /// A delivery gave up (attempts or age exhausted).
    public static let deadLetter = EventKind(rawValue: "dead-letter")
    /// An operator put a dead delivery back in the queue.
    public static let replayed = EventKind(rawValue: "replayed")
    /// A message too large for customs could not be planned as parts: it was queued whole (and is
    /// dead-lettered `OUT003` before it leaves).
    public static let splitFailed = EventKind(rawValue: "split-failed")
    /// The inspection authority's answers.
    public static let inspectionHold = EventKind(rawValue: "inspection-hold")
    public static let inspectionReleased = EventKind(rawValue: "inspection-released")
    public static let inspectionRejected = EventKind(rawValue: "inspection-rejected")
    /// The payment / foreign-exchange regulator's answers.
    public static let paymentVerified = EventKind(rawValue: "payment-verified")
    public static let paymentHold = EventKind(rawValue: "payment-hold")
    public static let paymentRejected = EventKind(rawValue: "payment-rejected")
    /// An export inventory's parcel listed in an accepted arrival notice (CEB507/508).
    public static let exportArrived = EventKind(rawValue: "arrived")
    /// An export inventory's parcel listed in an accepted departure notice (CEB509/510).
    public static let exportDeparted = EventKind(rawValue: "departed")
    /// An import waybill's parcel listed in a warehouse entry list (CEB711) customs accepted (CEB712).
    public static let warehouseEntered = EventKind(rawValue: "warehouse-entered")
    /// A cleared export inventory put in a summary application (CEB701).
    public static let summarising = EventKind(rawValue: "summarising")
    /// A summary application returned by customs (CEB702 100): its inventories may be summarised again.
    public static let summaryReturned = EventKind(rawValue: "summary-returned")
    /// An export inventory summarised into a customs export declaration (CEB792).
    public static let summarized = EventKind(rawValue: "summarized")
    /// An export inventory whose parcel a stored CEB607 consolidated waybill (清单总分单) carries:
    /// the detail names the master bill (billNo, copNo) and the parcel (logisticsNo).
    public static let consolidated = EventKind(rawValue: "consolidated")
    /// A CEB607 consolidated waybill linked to the export inventories its lines name: how many
    /// were found and how many lines name inventories not stored (with a few of their invtNos).
    public static let manifestLinked = EventKind(rawValue: "manifest-linked")
}

/// An entry for the append-only `events` table.
///
/// Link it to a message by ``messageGuid`` and/or to a declaration by ``declarationGuid``
/// (the head guid); at least one is required. With a ``dedupKey`` the event is stored at most
/// once (re-running a pipeline step does not duplicate it).
public struct Event: Sendable, Hashable {
    public var kind: EventKind
    public var occurredAt: Date
    public var messageGuid: String?
    public var declarationGuid: String?
    /// Short machine code, e.g. a receipt status or an HTTP status.
    public var code: String?
    /// Human-readable detail (never put personal data here).
    public var detail: String?
    /// Optional idempotency key, unique across all events.
    public var dedupKey: String?

    public init(
        kind: EventKind, occurredAt: Date, messageGuid: String? = nil, declarationGuid: String? = nil,
        code: String? = nil, detail: String? = nil, dedupKey: String? = nil
    ) {
        self.kind = kind
        self.occurredAt = occurredAt
        self.messageGuid = messageGuid
        self.declarationGuid = declarationGuid
        self.code = code
        self.detail = detail
        self.dedupKey = dedupKey
    }
}
