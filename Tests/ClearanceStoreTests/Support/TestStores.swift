import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// A salt for tests (real deployments configure a secret one).
let testSalt = Array("clearance-test-salt-0123456789".utf8)

/// A fresh, migrated store: SQLite on a new temp file, or a new database on the shared throwaway
/// PostgreSQL server. Fails (never skips) when the server cannot be started.
func makeStore(_ engine: TestEngine, poolSize: Int = 4, salt: [UInt8]? = testSalt) async throws -> SQLStore {
    let url = try freshURL(engine)
    let store = try await openStore(url: url, options: StoreOptions(buyerIdSalt: salt, postgresPoolSize: poolSize))
    return try #require(store as? SQLStore)
}

extension SQLStore {
    /// `SELECT COUNT(*) FROM table`.
    func count(_ table: String, where condition: String = "1 = 1", _ params: [SQLValue] = []) async throws -> Int {
        let rows = try await rawQuery("SELECT COUNT(*) FROM \(table) WHERE \(condition)", params)
        return Int(rows.first?.first.flatMap { $0 } ?? "") ?? -1
    }
}
