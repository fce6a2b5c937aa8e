/// Counts for dashboards and health checks.
public struct StoreStats: Sendable, Hashable {
    /// Messages per (type, direction).
    public struct MessageCount: Sendable, Hashable {
        public var messageType: String
        public var direction: MessageDirection
        public var count: Int
    }
    /// Declarations per (kind, status).
    public struct DeclarationCount: Sendable, Hashable {
        public var kind: DeclarationKind
        public var status: String
        public var count: Int
    }

    /// A count for one enterprise.
    public struct EnterpriseCount: Sendable, Hashable {
        public var ebcCode: String
        public var count: Int
    }

    public var messages: [MessageCount]
    public var declarations: [DeclarationCount]
    public var declarationLines: Int
    public var receipts: Int
    public var events: Int
    /// Outbox rows per status (every status present, zero when none).
    public var outbox: [OutboxStatus: Int]
    /// Streamed messages whose ingest has not completed (killed or still running).
    public var incompleteMessages: Int = 0
    /// Raw message parts stored for streamed messages.
    public var messageParts: Int = 0
    /// Distinct party codes (platform, e-commerce enterprise, logistics, payment, agent) of stored
    /// declarations that the credit list in force does not know: they passed unchecked.
    public var unknownCreditParties: Int = 0
    /// Entries on the credit list in force.
    public var creditListEntries: Int = 0
    /// Per e-commerce enterprise (`ebcCode`), its export inventories customs cleared (899) that are
    /// in no summary application yet: what the monthly summary declaration still has to take.
    public var exportsToSummarise: [EnterpriseCount] = []

    /// Rows still to deliver: pending plus in flight.
    public var outboxDepth: Int { (outbox[.pending] ?? 0) + (outbox[.inFlight] ?? 0) }
    /// Total messages.
    public var messageTotal: Int { messages.reduce(0) { $0 + $1.count } }
    /// Total declarations.
    public var declarationTotal: Int { declarations.reduce(0) { $0 + $1.count } }
}
