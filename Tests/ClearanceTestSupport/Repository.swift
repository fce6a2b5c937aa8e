import Foundation

/// The checkout the tests run from: its sample messages and files, found from this source file's
/// path (the test's working directory is not necessarily the checkout).
public enum Repository {
    /// The checkout's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative` (e.g. `schemas/routing/default-routes.yaml`).
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The path of a sample message: a file name in `samples/valid`, or a path below `samples/`
    /// naming its folder (`unsigned/CEB621-inventory.xml`: the message before Clearance signs it).
    public static func samplePath(_ name: String) -> String { path(name.contains("/") ? "samples/\(name)" : "samples/valid/\(name)") }

    /// The bytes of a sample message (``samplePath(_:)``).
    public static func sample(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: samplePath(name)))) }

    /// The file names in `samples/unsigned`: messages customs wants signed, as merchants hand them to
    /// Clearance; each has its signed twin of the same name in `samples/valid`.
    public static let unsignedSamples: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: path("samples/unsigned"))) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()
}
