import ClearanceStore
import Foundation
import Testing

/// The outbox doorbell: no wake-up is lost between reading the generation and waiting, a wait
/// without a ring ends at its timeout, and cancellation ends it. The checks read why a wait ended,
/// not how long it took (a loaded test run can stall the task pool for a minute).
@Suite struct OutboxDoorbellTests {
    @Test func aRingBeforeTheWaitBeganStillEndsIt() async {
        let bell = OutboxDoorbell()
        let mark = bell.generation
        bell.ring()
        #expect(await bell.wait(after: mark, timeout: 3_600))
    }

    @Test func aRingDuringTheWaitEndsIt() async throws {
        let bell = OutboxDoorbell()
        let mark = bell.generation
        async let waited = bell.wait(after: mark, timeout: 3_600)
        try await Task.sleep(nanoseconds: 100_000_000)
        bell.ring()
        #expect(await waited)
    }

    @Test func withoutARingTheWaitEndsAtItsTimeout() async {
        let bell = OutboxDoorbell()
        let start = Date()
        #expect(await bell.wait(after: bell.generation, timeout: 0.2) == false)
        #expect(Date().timeIntervalSince(start) >= 0.19)
    }

    @Test func cancellationEndsTheWait() async {
        let bell = OutboxDoorbell()
        let start = Date()
        let waiting = Task { await bell.wait(after: bell.generation, timeout: 3_600) }
        try? await Task.sleep(nanoseconds: 100_000_000)
        waiting.cancel()
        #expect(await waiting.value == false)
        #expect(Date().timeIntervalSince(start) < 1_800, "waited for the timeout")
    }
}
