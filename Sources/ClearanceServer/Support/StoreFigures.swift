import ClearanceStore
import Foundation
import Logging
import Synchronization

/// The store figures behind `/health` and `/metrics`, read at most once per ``maxAge`` whatever the
/// request rate: a monitoring system, a load balancer probing every instance or a flood of
/// anonymous requests must not be able to load the store. Requests arriving while a read is under
/// way share it; a read that fails is remembered for ``maxAge`` too (and logged: its text, which
/// may name hosts or users, is never shown to the caller).
final class StoreFigures: Sendable {
    /// The last reading: the figures, or nil when the store failed.
    typealias Reading = OutboxFigures?

    /// How long a reading is reused.
    let maxAge: Duration
    private let read: @Sendable () async throws -> OutboxFigures
    private let logger: Logger
    private let metrics: ServiceMetrics
    private let state = Mutex<(reading: Reading, at: ContinuousClock.Instant?, inFlight: Task<Reading, Never>?)>((nil, nil, nil))

    /// Figures read from `store`.
    convenience init(store: any AccessStore, metrics: ServiceMetrics, logger: Logger, maxAge: Duration = .seconds(5)) {
        self.init(maxAge: maxAge, metrics: metrics, logger: logger) { try await store.outboxFigures() }
    }

    /// Figures read by `read` (tests count the reads).
    init(maxAge: Duration, metrics: ServiceMetrics, logger: Logger, read: @escaping @Sendable () async throws -> OutboxFigures) {
        self.maxAge = maxAge
        self.metrics = metrics
        self.logger = logger
        self.read = read
    }

    /// The current reading: the cached one while fresh, else the one being read, else a new read.
    func current() async -> Reading {
        let task = state.withLock { state -> Task<Reading, Never>? in
            if let at = state.at, ContinuousClock.now - at < maxAge { return nil }
            if let running = state.inFlight { return running }
            // Not a child task: a caller that goes away must not cancel the read the others wait for.
            let task = Task { await self.refresh() }
            state.inFlight = task
            return task
        }
        guard let task else { return state.withLock { $0.reading } }
        return await task.value
    }

    private func refresh() async -> Reading {
        metrics.storeFigureReads.increment()
        let reading: Reading
        do {
            reading = try await read()
        } catch {
            logger.error("store check failed", metadata: ["error": "\(error)"])
            reading = nil
        }
        state.withLock { $0 = (reading, .now, nil) }
        return reading
    }
}
