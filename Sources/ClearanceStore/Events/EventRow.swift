/// An event ready for the `events` table: its message and declaration already resolved to ids
/// (so many can go in one multi-row statement).
struct EventRow: Sendable {
    var kind: EventKind
    /// Unix milliseconds.
    var occurredAt: Int64
    var messageId: Int64?
    var declarationId: Int64?
    var code: String?
    var detail: String?
    var dedupKey: String?
}
