import ClearanceRules
import Foundation

/// One delivery the flow queues for a message: where, and which shipment it belongs to.
public struct OutboxRoute: Sendable, Hashable {
    /// Destination name from the routing table.
    public var destination: String
    /// The shipment's orderNo, when the message has one.
    public var orderKey: String?
    /// The shipment's logisticsNo, when the message has one.
    public var logisticsKey: String?
    /// The parts the message goes in, one outbox row each; empty: the message goes whole (one row).
    public var parts: [OutboxPart]
    /// Whether the parts are numbered after those already queued for this message and destination
    /// (a batch's documents released later go as further parts of the same message).
    public var appendsParts: Bool

    /// Creates a route.
    public init(destination: String, orderKey: String? = nil, logisticsKey: String? = nil, parts: [OutboxPart] = [], appendsParts: Bool = false) {
        self.destination = destination
        self.orderKey = orderKey
        self.logisticsKey = logisticsKey
        self.parts = parts
        self.appendsParts = appendsParts
    }
}

/// Per-document verdicts of a stored batch, written in one transaction (``ClearanceFlowStore/advanceDocuments(_:)``):
/// the declarations named in `moves` go to their status, and when `rest` is set every other
/// declaration of the message still in `from` goes there.
public struct DocumentAdvance: Sendable {
    public var messageGuid: String
    /// The message's row id when the caller has read it already (``KeptDocuments/messageId``): the
    /// advance then does not look it up again (a message's id never changes).
    public var messageId: Int64?
    public var from: DeclarationStatus
    /// Head guids per new status.
    public var moves: [(status: DeclarationStatus, guids: [String])]
    public var rest: DeclarationStatus?
    public var events: [Event]
    public var routes: [OutboxRoute]

    public init(messageGuid: String, messageId: Int64? = nil, from: DeclarationStatus, moves: [(status: DeclarationStatus, guids: [String])],
                rest: DeclarationStatus?, events: [Event], routes: [OutboxRoute]) {
        self.messageGuid = messageGuid
        self.messageId = messageId
        self.from = from
        self.moves = moves
        self.rest = rest
        self.events = events
        self.routes = routes
    }
}

/// What the flow writes for one accepted message, in **one transaction**: the message and its
/// declarations, their new status, timeline events, and the outbox rows routing decided.
public struct FlowWrite: Sendable {
    /// The message and its declarations.
    public var item: IngestItem
    /// Status to give the item's declarations (``DeclarationStatus/declared``,
    /// ``DeclarationStatus/awaitingDocuments``, ``DeclarationStatus/refused``…); nil keeps the stored default.
    public var status: DeclarationStatus?
    /// Events to append (linked by messageGuid and/or declarationGuid of this item).
    public var events: [Event]
    /// Deliveries of this message.
    public var routes: [OutboxRoute]

    /// Creates a write.
    public init(item: IngestItem, status: DeclarationStatus? = nil, events: [Event] = [], routes: [OutboxRoute] = []) {
        self.item = item
        self.status = status
        self.events = events
        self.routes = routes
    }
}

/// The store operations the clearance flow needs beyond ``Store``: atomic store-and-route,
/// shipment-ordered outbox claims, dead-letter inspection and replay, and the history the
/// cross-message rules read (``ClearanceHistory``), and the credit list the flow checks parties
/// against (``CreditStore``), the export inventories the summary declaration claims (``ExportSummaryStore``)
/// and the payment receipts foreign-exchange settlement sets against them (``ExportPaymentStore``).
///
/// Both engines implement it; get it with ``openFlowStore(url:options:)`` or by casting a ``Store``.
public protocol ClearanceFlowStore: Store, ClearanceHistory, CreditStore, ExportSummaryStore, ExportPaymentStore, PartitionStore {
    /// Rung when a write of this process that queued outbox rows commits (a worker sleeping
    /// between polls starts at once).
    var outboxDoorbell: OutboxDoorbell { get }

    /// Stores the message with its declarations, sets their status, appends the events and queues
    /// the routes, all in one transaction. A message already stored (same guid) changes nothing:
    /// the report says `duplicate` and no status, event or route is written again. Concurrent
    /// calls may share that transaction (group commit); each gets its own report, and a write the
    /// database refuses fails alone.
    func ingestRouted(_ write: FlowWrite) async throws(StoreError) -> IngestReport

    /// How ``ingestRouted(_:)`` calls have been grouped into shared transactions since the store
    /// was opened (group commit; see ``StoreOptions/groupCommitMaxWrites``).
    var groupCommitCounts: GroupCommitCounts { get }

    /// Inventories waiting for documents that link to this orderNo or logisticsNo: their head
    /// guids by the envelope guid of the message that holds them.
    func awaitingInventories(orderNo: String?, logisticsNo: String?) async throws(StoreError) -> [String: Set<String>]

    /// Inventories waiting for documents that the stored message `messageGuid` declares (orders,
    /// payments or waybills, one or a batch of them): their head guids by envelope guid. One query
    /// for the whole batch, so its documents release what they complete in one pass per waiting message.
    func awaitingInventories(namedBy messageGuid: String) async throws(StoreError) -> [String: Set<String>]

    /// Inventories waiting for documents although an order, a payment and a waybill with their
    /// numbers are stored (not refused, deleted or held): the releases that did not happen (the
    /// process stopped between a document's commit and its release, or the release failed). A page
    /// of at most `limit`, by declaration id after `id`; the rules decide whether they really match.
    /// Only those where the inventory or one of its documents has a declaration id above
    /// `touchedAfter` (0: all): the others were looked at by an earlier sweep, and nothing new came.
    func completedWaitingInventories(after id: Int64, touchedAfter: Int64, limit: Int) async throws(StoreError) -> [(id: Int64, messageGuid: String, declarationGuid: String)]

    /// The highest declaration id stored (0 when none): a sweep's mark for the next one.
    func latestDeclarationId() async throws(StoreError) -> Int64

    /// Moves every declaration of a stored message that is still in `fromStatus` to `toStatus`,
    /// appends events and queues routes for the message, in one transaction (a batch forwarded
    /// after ingest). Returns how many declarations moved; routes already queued are not queued again.
    @discardableResult
    func advanceMessage(
        messageGuid: String, fromStatus: DeclarationStatus, toStatus: DeclarationStatus, events: [Event], routes: [OutboxRoute]
    ) async throws(StoreError) -> Int

    /// Refuses every declaration of a stored message still in `fromStatus` because the message's
    /// signature was refused, with `events`, and frees their dedup keys: each becomes
    /// `key|refused|<message guid>`, so the same declarations sent again in a correctly signed
    /// message are stored as new instead of skipped as duplicates of rows customs never saw (the
    /// refused rows stay, with their numbers, status and events). Returns how many were refused.
    func refuseUnsignedMessage(messageGuid: String, fromStatus: DeclarationStatus, events: [Event]) async throws(StoreError) -> Int

    /// Moves some declarations of one message, each to its own verdict, in one transaction with
    /// events and routes (``DocumentAdvance``); returns how many moved. Nothing is recorded when
    /// nothing moved, and the transaction is rolled back (`conflict`) when a named declaration
    /// is no longer in `from` (another forwarder took it first): no document is queued twice.
    func advanceDocuments(_ advance: DocumentAdvance) async throws(StoreError) -> Int

    /// The head guids of a message's declarations in `status`.
    func declarationGuids(messageGuid: String, status: DeclarationStatus) async throws(StoreError) -> Set<String>

    /// Keeps, for the stored message `messageGuid`, the frame its parts are built around (opaque
    /// text, written by the flow) and where each of `documents` (by head guid) lies in it. The
    /// first frame kept stays; a range already kept for a declaration stays.
    func saveDocumentRanges(messageGuid: String, frame: String, documents: [(guid: String, range: DocumentRange)]) async throws(StoreError)

    /// Which of `among` (head guids) are declarations of `messageGuid` in `status`, each with its
    /// kept range (nil: none kept), and the message's kept frame (nil: none, or none of `among`
    /// found). One look-up by the guids named, whatever the size of the batch.
    func documentRanges(messageGuid: String, status: DeclarationStatus, among: Set<String>)
        async throws(StoreError) -> KeptDocuments

    /// The status of the newest declaration with this head guid.
    func declarationStatus(declarationGuid: String) async throws(StoreError) -> DeclarationStatus?

    /// The destinations of the outbox rows queued for the stored message `messageGuid`, one per row
    /// in queue order (what a message released right after its own commit was routed to).
    func routedDestinations(messageGuid: String) async throws(StoreError) -> [String]

    /// Like ``Store/claimOutbox(limit:lease:now:)``, but never hands out a row while an earlier
    /// row of the same shipment (same orderNo or logisticsNo) for the same destination is pending or
    /// in flight outside this claim: each destination receives a shipment's messages in queue order.
    /// The rows of a shipment that are due together are claimed together as one ``OutboxEntry/chain``,
    /// which the worker sends in order within its round (one round each cost a shipment's fourth
    /// message three rounds of waiting). Rows are locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL.
    func claimOutboxInShipmentOrder(limit: Int, lease: TimeInterval, now: Date) async throws(StoreError) -> [OutboxEntry]

    /// Puts claimed rows back to pending, due `now`, without counting their attempt: the rest of a
    /// chain after a row that failed, which must not overtake it.
    func releaseOutbox(ids: [Int64], messageIds: [Int64], now: Date) async throws(StoreError)

    /// Outbox rows, newest first, optionally of one status.
    func outboxEntries(status: OutboxStatus?, limit: Int) async throws(StoreError) -> [OutboxEntry]

    /// Puts a dead (or delivered) row back to pending with its attempts reset, for an operator.
    @discardableResult
    func replayOutbox(id: Int64, now: Date) async throws(StoreError) -> OutboxEntry
}

/// Opens a store that supports the clearance flow (both engines do).
public func openFlowStore(url: String?, options: StoreOptions = StoreOptions()) async throws(StoreError) -> any ClearanceFlowStore {
    let store = try await openStore(url: url, options: options)
    guard let flow = store as? any ClearanceFlowStore else {
        await store.close()
        throw .invalidInput("this store does not support the clearance flow")
    }
    return flow
}
