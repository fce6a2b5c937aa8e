import ArgumentParser
import ClearanceStore
import Foundation

/// `--store URL`, shared by the commands that open the store.
struct StoreOption: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Store URL: postgresql://… or sqlite:PATH (default: $CLEARANCE_STORE, else the SQLite file ./\(StoreLocation.defaultSQLitePath)).",
            valueName: "URL"))
    var url: String?

    /// The URL given, else `CLEARANCE_STORE`, else nil (the default SQLite file).
    var resolved: String? {
        if let url, !url.isEmpty { return url }
        if let env = ProcessInfo.processInfo.environment["CLEARANCE_STORE"], !env.isEmpty { return env }
        return nil
    }

    /// Where the store is, for messages (password hidden).
    var display: String {
        (try? StoreLocation(url: resolved).description) ?? (resolved ?? StoreLocation.defaultSQLitePath)
    }

    /// Opens (and migrates) the store, or fails with exit code 2.
    func open() async throws -> any Store {
        do {
            return try await openStore(url: resolved)
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
    }
}
