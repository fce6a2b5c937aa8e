import Foundation

/// Destinations built on demand from the routing table in force: a destination added or changed
/// by a hot reload gets a fresh transport the next time a row for it is delivered; replaced
/// transports are closed at ``shutdown()``.
public final class DestinationPool: @unchecked Sendable {
    private let lock = NSLock()
    private var live: [String: (config: DestinationConfig, destination: any Destination)] = [:]
    private var retired: [any Destination] = []

    /// Creates an empty pool.
    public init() {}

    /// The transport for `config`, created (or re-created after a change) as needed.
    public func destination(for config: DestinationConfig) throws(DeliveryError) -> any Destination {
        lock.lock()
        defer { lock.unlock() }
        if let entry = live[config.name], entry.config == config { return entry.destination }
        let made: any Destination
        switch config.transport {
        case .http(let http): made = try HTTPDestination(config: config, http: http)
        case .spool(let spool): made = SpoolDestination(config: config, spool: spool)
        }
        if let old = live[config.name] { retired.append(old.destination) }
        live[config.name] = (config, made)
        return made
    }

    /// Closes every transport.
    public func shutdown() async {
        let all: [any Destination] = lock.withLock {
            let out = live.values.map(\.destination) + retired
            live = [:]
            retired = []
            return out
        }
        for destination in all { await destination.shutdown() }
    }
}
