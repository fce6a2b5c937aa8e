/// Destinations that are not in the routing table, looked up by name when the delivery worker
/// meets an outbox row for one — e.g. enterprise webhooks, registered and changed while the
/// service runs. Implementations may cache; a change must show within their cache time.
public protocol DestinationDirectory: Sendable {
    /// The destination called `name`, or nil when there is none (its rows are dead-lettered).
    /// - Throws: when the lookup itself failed (the rows are retried later).
    func destination(named name: String) async throws -> DestinationConfig?
}
