import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Logging
import Testing

/// `clearance serve` runs partition maintenance at start and on an interval (``PartitionService``).
@Suite struct PartitionServiceTests {
    @Test("the service makes partitions ahead at start, and again once new ids need them")
    func makesAheadAndAgain() async throws {
        let store = try await openAccessStore(url: try freshURL(.postgresql))
        let logs = LogCapture()
        let logger = Logger(label: "partitions") { logs.handler(label: $0) }
        let service = PartitionService(store: store, policy: PartitionPolicy(ahead: 1, minimumSpan: 10),
                                       interval: .milliseconds(100), logger: logger)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        func made() -> [String] { logs.all.filter { $0.contains("partition made") } }
        func waitFor(_ count: Int) async throws {
            for _ in 0..<100 where made().count < count { try await Task.sleep(for: .milliseconds(100)) }
        }
        try await waitFor(6)
        #expect(made().count == 6, "one partition for each table at start: \(made())")
        #expect(made().allSatisfy { $0.contains("low=1") && $0.contains("high=11") }, "\(made())")

        // An ingest puts message 1 and event 1 in use: ten ids ahead of them need one more partition of each table keyed by either.
        _ = try await store.ingest([IngestItem(message: MessageRecord(
            guid: UUID().uuidString, messageType: "CEB311", senderCode: "X", direction: .inbound, receivedAt: Date(),
            sha256: String(repeating: "0", count: 64), rawBytes: Array("<x/>".utf8), signatureVerdict: "unchecked"), declarations: [])])
        try await waitFor(10)
        #expect(made().filter { $0.contains("low=11") && $0.contains("high=21") }.count == 4,
                "heads, raw parts and outbox, by message, and events (its received event): \(made())")
        running.cancel()
        _ = await running.result
        await store.close()
    }
}
