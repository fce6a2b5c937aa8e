import Foundation
import Testing
@testable import ClearanceStore

/// A year's floor is found once and kept, from a week before the year began (China time), and
/// found again once forgotten (as a reattach does). The search itself runs on PostgreSQL in
/// `PartitionTests`.
@Suite struct DeclarationIdFloorsTests {
    @Test func keptUntilForgotten() throws {
        let floors = DeclarationIdFloors()
        var asked: [Int64] = []
        let find = { (since: Int64) throws(StoreError) -> Int64 in
            asked.append(since)
            return 42
        }
        #expect(try floors.floor(year: 2026, find) == 42)
        #expect(try floors.floor(year: 2026, find) == 42)
        // 1 January 2026 00:00 in China (UTC+8) less seven days: 24 December 2025, 16:00 UTC.
        #expect(asked == [1_766_592_000_000], "found once, from a week before the year began")
        _ = try floors.floor(year: 2025, find)
        #expect(asked.count == 2, "each year its own")
        floors.forget()
        _ = try floors.floor(year: 2026, find)
        #expect(asked.count == 3, "found again once forgotten")
    }
}
