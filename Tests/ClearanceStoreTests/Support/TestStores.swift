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

/// A fresh store migrated only through `version`: a migration's test stores rows as the schema
/// before it held them, then runs the rest (`migrate()`).
func makeStore(_ engine: TestEngine, migratedThrough version: Int) async throws -> SQLStore {
    let opened = try await openStore(url: try freshURL(engine), options: StoreOptions(buyerIdSalt: testSalt, migrateOnOpen: false))
    let store = try #require(opened as? SQLStore)
    do {
        _ = try await store.session { (s: any SQLSession) throws(StoreError) -> [Int] in try Migrator.run(s, through: version) }
    } catch {
        await store.close()
        throw error
    }
    return store
}

extension SQLStore {
    /// Ingests `items` into a store migrated only through a version before 83
    /// (``makeStore(_:migratedThrough:)``). Today's writers store each declaration's guid beside its
    /// key (migration 83): the column is lent for the write and dropped after it, so the rows are as
    /// that schema held them.
    func ingestBeforeGuidKeys(_ items: [IngestItem]) async throws {
        try await rawExecute("ALTER TABLE declaration_keys ADD COLUMN declaration_guid TEXT")
        _ = try await ingest(items)
        try await rawExecute("ALTER TABLE declaration_keys DROP COLUMN declaration_guid")
    }

    /// `SELECT COUNT(*) FROM table`.
    func count(_ table: String, where condition: String = "1 = 1", _ params: [SQLValue] = []) async throws -> Int {
        let rows = try await rawQuery("SELECT COUNT(*) FROM \(table) WHERE \(condition)", params)
        return Int(rows.first?.first.flatMap { $0 } ?? "") ?? -1
    }

    /// Installs a trigger `boom` that makes inserts into `table` fail with `message` when
    /// `condition` (SQL over `NEW`) holds, as a constraint or a crash would mid-transaction.
    /// Remove it with `DROP TRIGGER boom` (`… ON table` on PostgreSQL).
    func installFailingInsert(_ engine: TestEngine, on table: String, when condition: String, message: String) async throws {
        switch engine {
        case .sqlite:
            try await rawExecute("""
                CREATE TRIGGER boom BEFORE INSERT ON \(table) WHEN \(condition)
                BEGIN SELECT RAISE(ABORT, '\(message)'); END;
                """)
        case .postgresql:
            try await rawExecute("""
                CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF \(condition) THEN RAISE EXCEPTION '\(message)'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER boom BEFORE INSERT ON \(table) FOR EACH ROW EXECUTE FUNCTION boom();
                """)
        }
    }
}
