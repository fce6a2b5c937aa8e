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
        try await opening { url throws(StoreError) in try await openStore(url: url) }
    }

    /// Opens the store with `open`, or fails with exit code 2.
    func opening<S>(_ open: (String?) async throws(StoreError) -> S) async throws -> S {
        do {
            return try await open(resolved)
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
    }

    /// Opens the store, runs `body` on it and closes it; an error of `body` is printed and fails with exit code 2.
    func reading<T>(_ body: (any ClearanceFlowStore) async throws -> T) async throws -> T {
        let opened = try await openFlow()
        do {
            return try await opened.closing { try await body(opened) }
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
    }
}

extension Store {
    /// Runs `body`, then closes the store whether or not it threw; an error of `body` is rethrown.
    func closing<T>(after body: () async throws -> T) async rethrows -> T {
        do {
            let value = try await body()
            await close()
            return value
        } catch {
            await close()
            throw error
        }
    }
}
