import Foundation
import Testing

/// The store engines the store-backed tests run against.
public enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    public var testDescription: String { rawValue }
}

/// A URL for a new, empty database of `engine`: SQLite on a new temp file, or a new database on
/// the throwaway PostgreSQL server this test process starts (fails, never skips, when it cannot).
public func freshURL(_ engine: TestEngine) throws -> String {
    switch engine {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return "sqlite:" + directory.appendingPathComponent(UUID().uuidString + ".sqlite").path
    case .postgresql:
        return try PostgresTestServer.require().createDatabase()
    }
}
