import ClearanceStore
import Foundation
import Logging

/// Drains the outbox: claim → sign and wrap → deliver → complete, or fail with exponential
/// backoff and jitter; past the destination's maximum attempts or age (or on a permanent
/// refusal) the row goes to the dead-letter state for an operator (`clearance outbox dead|replay`).
///
/// Delivery is at least once: a worker killed between delivering and completing leaves the row
/// in flight until its lease expires, then it is delivered again — receivers dedupe by message
/// guid. Several workers (threads or processes sharing one PostgreSQL) never hold the same row:
/// claims use `FOR UPDATE SKIP LOCKED`, and a shipment's rows reach each destination in order.
public final class DeliveryWorker: Sendable {
    private let store: any ClearanceFlowStore
    private let table: @Sendable () -> RoutingTable
    private let destinations: [String: any Destination]
    private let directory: (any DestinationDirectory)?
    private let pool = DestinationPool()
    private let windows = DestinationWindows()
    private let preparer: OutboundPreparer
    /// The pacing.
    public let policy: DeliveryPolicy
    private let logger: Logger
    /// Posts the answers to customs' payment data requests (nil when the store keeps none).
    private let paymentData: PaymentDataPoster?

    /// Creates a worker.
    /// - Parameters:
    ///   - table: the routing table in force (e.g. a ``RoutingTableWatcher``'s `current()`), for
    ///     destination settings.
    ///   - destinations: transports to use by destination name (see ``DestinationFactory``); any
    ///     other destination of the table in force is built on demand (hot reload adds and changes
    ///     destinations) and closed by ``shutdown()``.
    ///   - directory: where destinations missing from the table are looked up (webhooks registered
    ///     while the service runs), each round, for the rows claimed.
    public init(
        store: any ClearanceFlowStore, table: @escaping @Sendable () -> RoutingTable, destinations: [String: any Destination] = [:],
        directory: (any DestinationDirectory)? = nil,
        preparer: OutboundPreparer, policy: DeliveryPolicy = DeliveryPolicy(), logger: Logger = Logger(label: "clearance.delivery")
    ) {
        self.store = store
        self.table = table
        self.destinations = destinations
        self.directory = directory
        self.preparer = preparer
        self.policy = policy
        self.logger = logger
        if let store = store as? any Store & PaymentDataStore {
            let signer = preparer.signers.values.first.map { PaymentDataSigner(key: $0.key, certificate: $0.certificate) }
            paymentData = PaymentDataPoster(desk: PaymentDataDesk(store: store, table: table), signer: signer)
        } else {
            paymentData = nil
        }
    }

    /// Claims one batch and delivers it (destinations in parallel, each within its concurrency).
    public func runOnce(now: Date = Date()) async throws(StoreError) -> DeliveryRound {
        try await deliver(claimed: try await claim(now: now))
    }

    /// The next round's rows, in shipment order.
    private func claim(now: Date = Date()) async throws(StoreError) -> [OutboxEntry] {
        try await store.claimOutboxInShipmentOrder(limit: policy.batchSize, lease: policy.leaseSeconds, now: now)
    }

    /// Delivers the claimed `entries` (destinations in parallel, each within its concurrency, shared
    /// with any other round in flight: ``DestinationWindows``) and records what became of them.
    /// `dispatched` is called once every chain of the round has a slot of its destination's window:
    /// from then on a round claimed next only waits for slots this one gives back.
    private func deliver(claimed entries: [OutboxEntry], dispatched: @escaping @Sendable () -> Void = {}) async throws(StoreError) -> DeliveryRound {
        var round = DeliveryRound()
        round.claimed = entries.count
        guard !entries.isEmpty else {
            dispatched()
            return round
        }
        var found = table().destinations
        let groups = Dictionary(grouping: entries, by: \.destination)
        // Destinations outside the table (webhooks): looked up now, so registrations and changes
        // made while the service runs take effect; a failed lookup retries the rows later.
        var lookupFailures: [String: String] = [:]
        if let directory {
            for name in groups.keys where found[name] == nil {
                do {
                    found[name] = try await directory.destination(named: name)
                } catch {
                    lookupFailures[name] = "cannot look up destination '\(name)': \(error)"
                }
            }
        }
        let configs = found
        let failedLookups = lookupFailures
        // The round's whole single messages in one read (a read each cost a statement and a hop per
        // delivery); larger ones, parts and payment data are read by their own delivery.
        let prefetched = (try? await store.messages(
            guids: entries.filter { $0.part == nil && $0.paymentRequestId == nil }.map(\.messageGuid),
            maxBytes: Self.prefetchedMessageBytes)) ?? [:]
        let dispatching = DispatchCount(destinations: groups.count, then: dispatched)
        let windows = self.windows
        let results = await withTaskGroup(of: [Outcome].self) { group in
            for (name, rows) in groups {
                let width = max(1, configs[name].flatMap { config -> Int? in
                    if case .http(let http) = config.transport { return http.concurrency }
                    return nil
                } ?? 1)
                // A sliding window: the next chain starts as soon as any of the destination's `width`
                // requests in flight ends, this round's or another's (fixed windows of `width` waited
                // for their slowest). A chain (a shipment's rows claimed together) is one request at a
                // time, in order; after a failure the rest of it is deferred, so nothing overtakes the
                // row that failed.
                let chains = Self.chains(rows)
                group.addTask {
                    await withTaskGroup(of: [Outcome].self) { inner in
                        @Sendable func delivery(_ chain: [OutboxEntry]) async -> [Outcome] {
                            var outcomes: [Outcome] = []
                            for entry in chain {
                                if let failed = outcomes.last, case .failure = failed.result {
                                    outcomes.append(Outcome(entry: entry, result: .failure(DeliveryError(
                                        "not sent: outbox row \(failed.entry.id) of its shipment, before it, failed")), deferred: true))
                                    continue
                                }
                                if let why = failedLookups[name] {
                                    outcomes.append(Outcome(entry: entry, result: .failure(DeliveryError(why))))
                                    continue
                                }
                                outcomes.append(await self.deliver(entry, config: configs[name], prefetched: prefetched[entry.messageGuid]))
                            }
                            return outcomes
                        }
                        for chain in chains {
                            await windows.acquire(name, width: width)
                            inner.addTask {
                                let outcomes = await delivery(chain)
                                await windows.release(name)
                                return outcomes
                            }
                        }
                        await dispatching.destinationDone()
                        var outcomes: [Outcome] = []
                        for await done in inner { outcomes += done }
                        return outcomes
                    }
                }
            }
            var all: [Outcome] = []
            for await outcomes in group { all += outcomes }
            return all
        }
        // The round's deliveries are recorded in one commit.
        let finishedAll = Date()
        let delivered = results.filter { if case .success = $0.result { true } else { false } }
        let stale = try await store.completeOutbox(ids: delivered.map(\.entry.id), messageIds: delivered.map(\.entry.messageId), now: finishedAll)
        let recorded = Date()
        for outcome in delivered {
            let entry = outcome.entry
            if let status = stale[entry.id] {
                logger.warning("delivered, but the outbox row was no longer in flight", metadata: [
                    "outbox": "\(entry.id)", "guid": "\(entry.messageGuid)", "status": "\(status.rawValue)"])
                continue
            }
            round.delivered += 1
            round.latencies.append(outcome.finishedAt.timeIntervalSince(entry.createdAt))
            round.recordedLatencies.append(recorded.timeIntervalSince(entry.createdAt))
        }
        // The rest of a chain after a failure: back to pending with no attempt counted; the claim
        // holds them back until the row that failed is delivered (or given up).
        let deferred = results.filter(\.deferred).map(\.entry)
        if !deferred.isEmpty {
            try await store.releaseOutbox(ids: deferred.map(\.id), messageIds: deferred.map(\.messageId), now: Date())
            round.deferred += deferred.count
        }
        for outcome in results where !outcome.deferred {
            let finished = Date()
            switch outcome.result {
            case .success: continue
            case .failure(let error):
                let config = configs[outcome.entry.destination]
                // A destination that could not be looked up keeps its rows (retried with backoff).
                let maxAttempts = config?.maxAttempts ?? (failedLookups[outcome.entry.destination] != nil ? Int.max : 1)
                let maxAge = config?.maxAgeSeconds ?? (failedLookups[outcome.entry.destination] != nil ? 86_400 : 0)
                let tooOld = finished.timeIntervalSince(outcome.entry.createdAt) >= maxAge
                let give = error.isPermanent || outcome.entry.attempts >= maxAttempts || tooOld
                let retryAt = give ? nil : finished.addingTimeInterval(policy.retryDelay(afterAttempts: outcome.entry.attempts))
                try await store.failOutbox(id: outcome.entry.id, messageId: outcome.entry.messageId, error: error.message, retryAt: retryAt, now: finished)
                if give {
                    round.dead += 1
                    logger.error("delivery dead-lettered", metadata: [
                        "outbox": "\(outcome.entry.id)", "guid": "\(outcome.entry.messageGuid)",
                        "destination": "\(outcome.entry.destination)", "error": "\(error.message)"])
                    try await store.appendEvent(Event(
                        kind: EventKind.deadLetter, occurredAt: finished, messageGuid: outcome.entry.messageGuid,
                        code: "\(outcome.entry.attempts)", detail: "\(outcome.entry.destination): \(error.message.prefix(300))"))
                } else {
                    round.retried += 1
                    logger.warning("delivery failed; will retry", metadata: [
                        "outbox": "\(outcome.entry.id)", "destination": "\(outcome.entry.destination)",
                        "attempt": "\(outcome.entry.attempts)", "error": "\(error.message)"])
                }
            }
        }
        return round
    }

    /// Runs rounds until every due row is handled or a bound is reached (tests, `deliver --drain`):
    /// stops after `maxRounds` rounds, after `timeout` seconds, or when no row is pending or in
    /// flight any more (rows waiting for a retry are waited for).
    public func drain(maxRounds: Int = 10_000, timeout: TimeInterval = 60) async throws(StoreError) -> DeliveryRound {
        var total = DeliveryRound()
        let deadline = Date().addingTimeInterval(timeout)
        var rounds = 0
        while rounds < maxRounds, Date() < deadline, !Task.isCancelled {
            rounds += 1
            let mark = pauseMark()
            let round = try await runOnce()
            total.add(round)
            if round.claimed == 0 {
                let pending = try await store.outboxEntries(status: .pending, limit: 1).count
                    + store.outboxEntries(status: .inFlight, limit: 1).count
                if pending == 0 { break }
                await pause(since: mark)
            }
        }
        return total
    }

    /// What to pass to ``pause(since:seconds:)`` after the round about to run: taken before its
    /// claim, so rows queued while the round ran end the pause at once.
    public func pauseMark() -> UInt64 {
        store.outboxDoorbell.generation
    }

    /// The pause after a round that claimed nothing: `seconds` (by default the policy's
    /// `idlePollSeconds`, at least 10 ms), or until a write of this process queues outbox rows
    /// after `mark` (the store's ``OutboxDoorbell``), or the task is cancelled. Rows other
    /// processes queue wait for the poll.
    public func pause(since mark: UInt64, seconds: TimeInterval? = nil) async {
        await store.outboxDoorbell.wait(after: mark, timeout: seconds ?? policy.idlePause)
    }

    /// Runs until the task is cancelled or `stop` says so, pausing `idlePollSeconds` (at least
    /// 0.01) when nothing is due, or less: rows queued by this process end the pause at once (see
    /// ``pause(since:seconds:)``); the poll finds other processes'. `eachRound` sees every round
    /// (e.g. its latencies for metrics). Returns what it did, with the latencies of at most
    /// `latencySample` deliveries (a uniform sample, so a worker running for months keeps a fixed
    /// amount of memory).
    ///
    /// Rounds overlap: the next claim runs as soon as every chain of the round before has a slot in
    /// its destination's window (and, unless that round's claim came back full, at least
    /// ``DeliveryPolicy/overlapIntervalSeconds`` after it), not when its slowest request has ended
    /// and been recorded. The windows stay full, and a row queued meanwhile waits for a slot, not
    /// for the whole round (rounds in turn each ended with their windows draining, then a commit and
    /// a claim while nothing was in flight). At most ``roundsInFlight`` rounds run at once; a
    /// shipment's later row is not claimed while an earlier one is in flight (the claim in shipment
    /// order), so overlapping keeps each shipment's order.
    @discardableResult
    public func run(latencySample: Int = 100_000, stop: @Sendable () -> Bool = { false },
                    eachRound: (DeliveryRound) -> Void = { _ in }) async -> DeliveryRound {
        var total = DeliveryRound()
        var sample = LatencySample(capacity: latencySample)
        var recordedSample = LatencySample(capacity: latencySample)
        /// Takes a round that ended (nil: it failed, logged) into the totals.
        func collect(_ ended: DeliveryRound?) {
            guard var round = ended else { return }
            eachRound(round)
            sample.add(round.latencies)
            recordedSample.add(round.recordedLatencies)
            round.latencies = []
            round.recordedLatencies = []
            total.add(round)
        }
        await withTaskGroup(of: RunChild.self) { children in
            var live = 0
            var pausing = false
            /// Waits for the next child to end: a round (taken into the totals) or a pause.
            func awaitChild() async {
                switch await children.next() {
                case .round(let ended)?:
                    collect(ended)
                    live -= 1
                case .paused?: pausing = false
                case nil: break
                }
            }
            while !Task.isCancelled && !stop() {
                let mark = pauseMark()
                let claimedAt = ContinuousClock.now
                let entries: [OutboxEntry]
                do {
                    entries = try await claim()
                } catch {
                    logger.error("delivery claim failed", metadata: ["error": "\(error)"])
                    if live > 0 { await awaitChild() }
                    try? await Task.sleep(nanoseconds: UInt64(max(policy.idlePollSeconds, 1) * 1e9))
                    continue
                }
                if entries.isEmpty {
                    if live == 0 && !pausing {
                        collect(DeliveryRound())
                        await pause(since: mark)
                    } else {
                        // A round is out: the next rows of its shipments wait for it to end, rows queued
                        // meanwhile for the poll (or this process's doorbell): whichever comes first.
                        if !pausing {
                            pausing = true
                            children.addTask { [self] in
                                await pause(since: mark)
                                return .paused
                            }
                        }
                        await awaitChild()
                    }
                    continue
                }
                let (dispatched, signal) = AsyncStream<Void>.makeStream()
                children.addTask { [self] in
                    defer { signal.finish() }
                    do {
                        return .round(try await deliver(claimed: entries, dispatched: { signal.yield(()) }))
                    } catch {
                        logger.error("delivery round failed", metadata: ["error": "\(error)"])
                        return .round(nil)
                    }
                }
                live += 1
                for await _ in dispatched { break }
                if entries.count < policy.batchSize {
                    // No queue waiting: the next claim paces itself (see `overlapIntervalSeconds`).
                    try? await ContinuousClock().sleep(until: claimedAt + .seconds(policy.overlapIntervalSeconds))
                }
                while live >= Self.roundsInFlight { await awaitChild() }
            }
            while live > 0 || pausing { await awaitChild() }
        }
        total.latencies = sample.values
        total.recordedLatencies = recordedSample.values
        return total
    }

    /// Rounds of one worker in flight at once: one delivering its last chains while the next one's
    /// chains wait for their slots.
    static let roundsInFlight = 2

    /// What a child task of ``run(latencySample:stop:eachRound:)`` ends with: a round (nil: it
    /// failed, logged), or a pause taken while a round was out.
    private enum RunChild: Sendable {
        case round(DeliveryRound?)
        case paused
    }

    /// Calls `then` once each of a round's `destinations` has started its last chain.
    private actor DispatchCount {
        private var left: Int
        private let then: @Sendable () -> Void

        init(destinations: Int, then: @escaping @Sendable () -> Void) {
            left = destinations
            self.then = then
        }

        func destinationDone() {
            left -= 1
            if left == 0 { then() }
        }
    }

    // MARK: One delivery

    struct Outcome: Sendable {
        var entry: OutboxEntry
        var result: Result<Void, DeliveryError>
        /// When the delivery ended (the destination's answer, or the failure).
        var finishedAt = Date()
        /// Not attempted: an earlier row of its chain failed.
        var deferred = false
    }

    /// `rows` (of one destination, in claim order) as the units a destination's window runs: each
    /// chain's rows in id order, every other row alone; in the order of their first rows.
    static func chains(_ rows: [OutboxEntry]) -> [[OutboxEntry]] {
        var units: [[OutboxEntry]] = []
        var unitOfChain: [Int64: Int] = [:]
        for row in rows {
            guard let chain = row.chain else {
                units.append([row])
                continue
            }
            if let unit = unitOfChain[chain] {
                units[unit].append(row)
            } else {
                unitOfChain[chain] = units.count
                units.append([row])
            }
        }
        return units.map { $0.count > 1 ? $0.sorted { $0.id < $1.id } : $0 }
    }

    /// One part of a split message (``SplitRoutes``): built from the pieces its plan names (the whole
    /// message is never read), under its own guid, then signed and gated like any message. A part of a
    /// message its sender signed carries no signature of its own (the sender's covered the whole), so
    /// it goes only when Clearance signs it; otherwise it is dead-lettered `OUT005`.
    private func preparePart(_ part: OutboxPart, of guid: String, for config: DestinationConfig) async throws(DeliveryError) -> OutboundMessage {
        let header: (record: MessageRecord, pieces: Int)?
        do {
            header = try await store.messageHeader(guid: guid)
        } catch {
            throw DeliveryError("cannot read message \(guid): \(error)")
        }
        guard let (record, pieces) = header else { throw DeliveryError("message \(guid) is not stored", permanent: true) }
        let assembled = try await MessagePartAssembler(store: store).assemble(messageGuid: guid, part: part, pieces: pieces)
        if assembled.plan.senderSigned && !preparer.signs(for: config) {
            throw DeliveryError(
                "OUT005 not sent to \(config.name): part \(part.number) of \(part.count) of \(record.messageType) \(guid) needs a signature of its own "
                + "(its sender's signature covers the whole message, not a part) and Clearance has no key to sign it; configure --key/--cert and replay",
                permanent: true, code: "OUT005")
        }
        return try preparer.prepare(raw: assembled.bytes, guid: assembled.guid, messageType: record.messageType, for: config)
    }

    /// Closes the transports the worker built itself.
    public func shutdown() async {
        await pool.shutdown()
    }

    /// The largest message a round reads ahead with the others (at most 64 KiB × the claim's rows
    /// held at once); a larger one is read by its delivery, which then holds it alone.
    static let prefetchedMessageBytes = 64 * 1024

    private func deliver(_ entry: OutboxEntry, config: DestinationConfig?, prefetched: MessageRecord?) async -> Outcome {
        guard let config else {
            return Outcome(entry: entry, result: .failure(DeliveryError("unknown destination '\(entry.destination)' (not in the routing table\(directory == nil ? "" : ", nor registered"))", permanent: true)))
        }
        do {
            let destination = try destinations[entry.destination] ?? pool.destination(for: config)
            if let requestId = entry.paymentRequestId {
                guard let paymentData else {
                    return Outcome(entry: entry, result: .failure(DeliveryError("RTD011 this store keeps no payment data", permanent: true, code: "RTD011")))
                }
                try await paymentData.deliver(requestId: requestId, to: destination, deliveryId: String(entry.id))
                return Outcome(entry: entry, result: .success(()))
            }
            var outbound: OutboundMessage
            if let part = entry.part {
                outbound = try await preparePart(part, of: entry.messageGuid, for: config)
            } else {
                let read = if let prefetched { prefetched } else { try await store.message(guid: entry.messageGuid) }
                guard let message = read else {
                    return Outcome(entry: entry, result: .failure(DeliveryError("message \(entry.messageGuid) is not stored", permanent: true)))
                }
                outbound = try preparer.prepare(raw: message.rawBytes, guid: message.guid, messageType: message.messageType, for: config)
            }
            outbound.deliveryId = String(entry.id)
            try await destination.deliver(outbound)
            return Outcome(entry: entry, result: .success(()))
        } catch let error as DeliveryError {
            return Outcome(entry: entry, result: .failure(error))
        } catch {
            return Outcome(entry: entry, result: .failure(DeliveryError("\(error)")))
        }
    }
}
