import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation
import Logging

/// `clearance deliver`: the delivery worker.
struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Run the outbox delivery worker: sign, wrap and deliver queued messages, retrying with backoff.",
        discussion: """
            Claims due outbox rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers may share one \
            database), signs each message with the service key in the destination's profile, wraps it in the \
            destination's envelope and POSTs it or writes it to the spool directory. Failures are retried with \
            exponential backoff and jitter; past the destination's maxAttempts / maxAgeSeconds, or on a \
            permanent refusal, the row goes dead (see `clearance outbox`). Runs until SIGINT/SIGTERM, or with \
            --drain until nothing is due (bounded by --timeout).
            """
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var rules: RulesOption
    @OptionGroup var serviceKey: ServiceKeyOption

    @Flag(help: "Stop when no row is pending or in flight.")
    var drain = false

    @Option(help: "With --drain: give up after this many seconds.")
    var timeout: Double = 300

    @Option(help: "Rows claimed per round.")
    var batch = 32

    @Option(help: "Lease of a claimed row in seconds (a crashed worker's rows come back after it).")
    var lease: Double = 30

    @Option(help: "First retry delay in seconds.")
    var baseDelay: Double = 1

    @Option(help: "Longest retry delay in seconds.")
    var maxDelay: Double = 300

    @Option(help: "Pause when idle, in seconds.")
    var idle: Double = 0.5

    func run() async throws {
        let watcher = try rules.watcher()
        let table = watcher.current()
        let key = try serviceKey.load()
        do {
            // Fail early on unusable transports (e.g. unreadable TLS files); the worker builds its own.
            for destination in try DestinationFactory.make(table).values { await destination.shutdown() }
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
        let opened = try await store.openFlow()
        var logger = Logger(label: "clearance.deliver")
        logger.logLevel = .notice
        let worker = DeliveryWorker(
            store: opened, table: { watcher.current() },
            preparer: OutboundPreparer(key: key?.0, certificate: key?.1, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: batch, leaseSeconds: lease, baseDelaySeconds: baseDelay, maxDelaySeconds: maxDelay, idlePollSeconds: idle),
            logger: logger)
        let drain = self.drain, timeout = self.timeout
        let result = LockedBox(DeliveryRound())
        let failure = LockedBox<String?>(nil)
        await Interruptible.run {
            if drain {
                do {
                    result.set(try await worker.drain(timeout: timeout))
                } catch {
                    failure.set("\(error)")
                }
            } else {
                result.set(await worker.run())
            }
        }
        await worker.shutdown()
        await opened.close()
        if let message = failure.get() {
            OutputBuffer.standardError("clearance: \(message)\n")
            throw Exit.usage
        }
        let r = result.get()
        let output = OutputBuffer()
        var summary = "delivered \(r.delivered), retried \(r.retried), dead \(r.dead)"
            + (r.deferred > 0 ? ", deferred \(r.deferred)" : "") + " (\(r.claimed) claims)"
        func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        let latencies = r.latencies.sorted(), recorded = r.recordedLatencies.sorted()
        if !latencies.isEmpty {
            summary += String(format: "; queue-to-delivered latency p50 %.1f ms, p99 %.1f ms", percentile(latencies, 0.5), percentile(latencies, 0.99))
        }
        if !recorded.isEmpty {
            summary += String(format: "; recorded as delivered p50 %.1f ms, p99 %.1f ms", percentile(recorded, 0.5), percentile(recorded, 0.99))
        }
        output.line(summary)
        output.flush()
    }
}

/// A value shared with a task, behind a lock.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&value) } }
}
