@testable import ClearanceServer
import ClearanceStore
import Foundation
import Synchronization
import Testing

@Suite("API key cache")
struct APIKeyCacheTests {
    /// A store stand-in: counts look-ups and answers from a table that tests change.
    final class Keys: Sendable {
        let table = Mutex<[String: EnterpriseRecord]>([:])
        let loads = Mutex(0)
        func load(_ hash: String) throws(StoreError) -> EnterpriseRecord? {
            loads.withLock { $0 += 1 }
            return table.withLock { $0[hash] }
        }
    }

    static func record(_ code: String) -> EnterpriseRecord { EnterpriseRecord(code: code, name: code, role: .merchant) }

    @Test("a key is asked once per period; after it, the store's answer (revoked: nil) is taken")
    func keptForItsPeriod() async throws {
        let keys = Keys()
        keys.table.withLock { $0["h1"] = Self.record("A") }
        let cache = APIKeyCache(seconds: 1)
        let start = ContinuousClock.now
        for offset in [0, 10, 500, 999] {
            let found = try await cache.enterprise(apiKeyHash: "h1", now: start + .milliseconds(offset)) { (h) throws(StoreError) in try keys.load(h) }
            #expect(found?.code == "A")
        }
        #expect(keys.loads.withLock { $0 } == 1)
        keys.table.withLock { $0["h1"] = nil }  // revoked
        #expect(try await cache.enterprise(apiKeyHash: "h1", now: start + .milliseconds(999)) { (h) throws(StoreError) in try keys.load(h) }?.code == "A")
        #expect(try await cache.enterprise(apiKeyHash: "h1", now: start + .milliseconds(1_000)) { (h) throws(StoreError) in try keys.load(h) } == nil)
        #expect(keys.loads.withLock { $0 } == 2)
        #expect(cache.count == 0, "a key the store no longer knows is dropped")
    }

    @Test("unknown keys are asked every time, and zero seconds asks the store on every request")
    func unknownAndOff() async throws {
        let keys = Keys()
        keys.table.withLock { $0["h1"] = Self.record("A") }
        let cache = APIKeyCache(seconds: 1)
        for _ in 0..<3 { #expect(try await cache.enterprise(apiKeyHash: "nope") { (h) throws(StoreError) in try keys.load(h) } == nil) }
        #expect(keys.loads.withLock { $0 } == 3)
        let off = APIKeyCache(seconds: 0)
        for _ in 0..<3 { #expect(try await off.enterprise(apiKeyHash: "h1") { (h) throws(StoreError) in try keys.load(h) }?.code == "A") }
        #expect(keys.loads.withLock { $0 } == 6)
        #expect(off.count == 0)
    }

    @Test("at most maxKeys are kept: expired entries go first, then all")
    func bounded() async throws {
        let keys = Keys()
        keys.table.withLock { for i in 0..<50 { $0["h\(i)"] = Self.record("E\(i)") } }
        let cache = APIKeyCache(seconds: 1, maxKeys: 10)
        let start = ContinuousClock.now
        for i in 0..<10 { _ = try await cache.enterprise(apiKeyHash: "h\(i)", now: start) { (h) throws(StoreError) in try keys.load(h) } }
        #expect(cache.count == 10)
        // Two seconds on, the ten have expired: the eleventh key's arrival drops them.
        _ = try await cache.enterprise(apiKeyHash: "h10", now: start + .seconds(2)) { (h) throws(StoreError) in try keys.load(h) }
        #expect(cache.count == 1)
        for i in 11..<50 { _ = try await cache.enterprise(apiKeyHash: "h\(i)", now: start + .seconds(2)) { (h) throws(StoreError) in try keys.load(h) } }
        #expect(cache.count <= 10)
    }
}
