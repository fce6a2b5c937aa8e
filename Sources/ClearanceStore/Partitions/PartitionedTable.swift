/// A PostgreSQL table partitioned by `RANGE` of its parent's id (``PartitionMigrations``), with
/// what maintenance needs to know about that parent. Events have none: they are partitioned by
/// their own id, and are their own "parent"; so are message heads.
public enum PartitionedTable: String, Sendable, CaseIterable {
    /// Raw message pieces beyond the first, by `message_id`.
    case messageParts = "message_parts"
    /// Declaration lines, by `declaration_id`.
    case declarationLines = "declaration_lines"
    /// Deliveries, by `message_id`.
    case outbox = "outbox"
    /// The timeline, by its own `id`.
    case events = "events"
    /// Declarations, by their own `id` (their unique keys stay in `declaration_keys`). After their
    /// lines, whose retention reads them.
    case declarations = "declarations"
    /// Message heads, by their own `id` (their guids stay in `message_keys`). Last: maintenance
    /// detaches a message's bytes and deliveries before its head.
    case messages = "messages"

    /// The partition column: the parent's id.
    var key: String {
        switch self {
        case .messageParts, .outbox: "message_id"
        case .declarationLines: "declaration_id"
        case .messages, .declarations, .events: "id"
        }
    }

    /// The parent table, whose ids the partitions' ranges divide.
    var parent: String {
        switch self {
        case .messages, .messageParts, .outbox: "messages"
        case .declarationLines, .declarations: "declarations"
        case .events: "events"
        }
    }

    /// The parent's time of arrival (Unix milliseconds): what retention compares.
    var parentTime: String {
        switch self {
        case .messages, .messageParts, .outbox: "received_at"
        case .declarationLines, .declarations: "created_at"
        case .events: "recorded_at"
        }
    }

    /// The partition that takes rows beyond every range made ahead.
    var defaultPartition: String { rawValue + "_default" }
}
