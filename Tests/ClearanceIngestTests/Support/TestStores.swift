import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// A salt for tests (real deployments configure a secret one).
let testSalt = Array("clearance-test-salt-0123456789".utf8)

/// Opens the store at `url` (migrated).
func openTestStore(_ url: String) async throws -> SQLStore {
    try #require(try await openStore(url: url, options: StoreOptions(buyerIdSalt: testSalt)) as? SQLStore)
}

extension SQLStore {
    /// `SELECT COUNT(*) FROM table WHERE condition`.
    func count(_ table: String, where condition: String = "1 = 1", _ params: [SQLValue] = []) async throws -> Int {
        let rows = try await rawQuery("SELECT COUNT(*) FROM \(table) WHERE \(condition)", params)
        return Int(rows.first?.first.flatMap { $0 } ?? "") ?? -1
    }

    /// Declarations stored more than once under their identity (must always be empty).
    func duplicateDeclarations() async throws -> [[String?]] {
        try await rawQuery("""
            SELECT kind, sender_code, dedup_key FROM declarations
            GROUP BY kind, sender_code, dedup_key HAVING COUNT(*) > 1
            """)
    }

    /// Lines stored more than once (must always be empty; the primary key forbids it).
    func duplicateLines() async throws -> [[String?]] {
        try await rawQuery("SELECT declaration_id, gnum FROM declaration_lines GROUP BY declaration_id, gnum HAVING COUNT(*) > 1")
    }
}
