import Foundation

/// The checkout the tests run from: its sample messages and files, found from this source file's
/// path (the test's working directory is not necessarily the checkout).
public enum Repository {
    /// The checkout's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative` (e.g. `schemas/routing/default-routes.yaml`).
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The path of a sample message in `samples/valid`.
    public static func samplePath(_ name: String) -> String { path("samples/valid/\(name)") }

    /// The bytes of a sample message in `samples/valid`.
    public static func sample(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: samplePath(name)))) }
}
