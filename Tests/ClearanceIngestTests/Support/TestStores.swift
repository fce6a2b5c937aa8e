import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The engines every ingest test runs against.
enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }
}

/// A salt for tests (real deployments configure a secret one).
let testSalt = Array("clearance-test-salt-0123456789".utf8)

/// A URL for a new empty database of `engine` (PostgreSQL: on the throwaway server this test
/// process starts; fails, never skips, when it cannot be started).
func freshURL(_ engine: TestEngine) throws -> String {
    switch engine {
    case .sqlite:
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-ingest-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return "sqlite:" + dir.appendingPathComponent(UUID().uuidString + ".sqlite").path
    case .postgresql:
        return try PostgresTestServer.require().createDatabase()
    }
}

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
