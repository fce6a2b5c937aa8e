import Foundation
import Synchronization
import Testing
@testable import ClearanceStore

/// A year's floor is found once and kept, from a week before the year began (China time), and
/// found again once forgotten (as a reattach does). The search itself runs on PostgreSQL in
/// `PartitionTests`.
@Suite struct DeclarationIdFloorsTests {
    @Test func keptUntilForgotten() async throws {
        let floors = DeclarationIdFloors()
        let asked = Mutex<[Int64]>([])
        let find: @Sendable (Int64) async throws(StoreError) -> Int64 = { since in
            asked.withLock { $0.append(since) }
            return 42
        }
        #expect(try await floors.floor(year: 2026, find) == 42)
        #expect(try await floors.floor(year: 2026, find) == 42)
        // 1 January 2026 00:00 in China (UTC+8) less seven days: 24 December 2025, 16:00 UTC.
        #expect(asked.withLock { $0 } == [1_766_592_000_000], "found once, from a week before the year began")
        _ = try await floors.floor(year: 2025, find)
        #expect(asked.withLock { $0.count } == 2, "each year its own")
        floors.forget()
        _ = try await floors.floor(year: 2026, find)
        #expect(asked.withLock { $0.count } == 3, "found again once forgotten")
    }
}
