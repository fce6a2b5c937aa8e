import Foundation

/// The checkout the tests run from: its sample messages and files, found from this source file's
/// path (the test's working directory is not necessarily the checkout).
public enum Repository {
    /// The checkout's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative` (e.g. `schemas/routing/default-routes.yaml`).
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The routing table compiled in as the default (`schemas/routing/default-routes.yaml`).
    public static var defaultRoutes: String { path("schemas/routing/default-routes.yaml") }

    /// The path of a sample message: a file name in `samples/valid`, or a path below `samples/`
    /// naming its folder (`unsigned/CEB621-inventory.xml`: the message before Clearance signs it).
    public static func samplePath(_ name: String) -> String { path(name.contains("/") ? "samples/\(name)" : "samples/valid/\(name)") }

    /// The bytes of a sample message (``samplePath(_:)``).
    public static func sample(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: samplePath(name)))) }

    /// The text of a sample message (``samplePath(_:)``).
    public static func sampleText(_ name: String) throws -> String { try String(contentsOfFile: samplePath(name), encoding: .utf8) }

    /// The file names in `samples/unsigned`: messages customs wants signed, as merchants hand them to
    /// Clearance; each has its signed twin of the same name in `samples/valid`.
    public static let unsignedSamples: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: path("samples/unsigned"))) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()

    /// The `.xml` files of a folder (relative to the root), sorted by name.
    public static func xmlFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []).filter { $0.hasSuffix(".xml") }.sorted()
    }

    /// The file names in `samples/valid`.
    public static let validSamples = xmlFiles("samples/valid")
    /// Every sample Clearance accepts, by path: `samples/valid/` and the unsigned twins of the messages
    /// customs wants signed (`samples/unsigned/`: valid, except that Clearance still has to sign them).
    public static let acceptedSamples = validSamples.map { "samples/valid/\($0)" } + unsignedSamples.map { "samples/unsigned/\($0)" }
    /// The file names in `samples/invalid`.
    public static let invalidSamples = xmlFiles("samples/invalid")

    /// `samples/invalid/EXPECTED.tsv`: file → expected code.
    public static let expected: [String: String] = {
        guard let text = try? String(contentsOfFile: path("samples/invalid/EXPECTED.tsv"), encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            if columns.count >= 2 { result[String(columns[0])] = String(columns[1]) }
        }
        return result
    }()

    /// Invalid samples whose expected code is of the given family (`SCH`, `RUL`…).
    public static func invalidSamples(coded prefix: String) -> [String] {
        invalidSamples.filter { expected[$0]?.hasPrefix(prefix) == true }
    }

    /// The message number a sample file is named after (`CEB311-order.xml` → `CEB311`).
    public static func number(of file: String) -> String { String(file.prefix { $0 != "-" }) }
}
