import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The migration history is frozen: a database records each applied migration's checksum and
/// refuses to open when the code's SQL for that version changed, so an edit to a shipped
/// migration would lock every existing store out. `schemas/store/migration-history.txt` lists each
/// engine's versions with the SHA-256 of their SQL; a new migration appends its lines there
/// (`CLEARANCE_RECORD_MIGRATIONS=1`), an edited one fails here first.
@Suite("Migration history")
struct MigrationHistoryTests {
    static func lines(_ dialect: SQLDialect, _ name: String) -> [String] {
        Migrator.migrations(for: dialect).map { "\(name) \($0.version) \($0.checksum) \($0.name)" }
    }

    @Test("every engine's migrations match the recorded history")
    func historyUnchanged() throws {
        let current = Self.lines(.sqlite, "sqlite") + Self.lines(.postgresql, "postgresql")
        let file = Repository.path("schemas/store/migration-history.txt")
        if ProcessInfo.processInfo.environment["CLEARANCE_RECORD_MIGRATIONS"] == "1" {
            // Appending a migration: record what the code has now (the test above still checks old versions
            // in every other run; review the diff of the file before committing it).
            try (Self.header + current.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOfFile: file, encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
        // Recorded versions must be unchanged; versions beyond the record are new (append them).
        let currentByKey = Dictionary(uniqueKeysWithValues: current.map { (Self.key($0), $0) })
        for line in recorded {
            #expect(currentByKey[Self.key(line)] == line, "migration \(Self.key(line)) differs from its recorded history")
        }
        #expect(current.count == recorded.count, "new migrations: append `\(current.filter { !recorded.contains($0) })` to schemas/store/migration-history.txt")
    }

    static let header = """
        # engine version sha256-of-sql name: written by `CLEARANCE_RECORD_MIGRATIONS=1 swift test --filter MigrationHistoryTests`
        # when a migration is appended; a changed line means a shipped migration was edited (MigrationHistoryTests).

        """

    static func key(_ line: String) -> String { line.split(separator: " ").prefix(2).joined(separator: " ") }
}
