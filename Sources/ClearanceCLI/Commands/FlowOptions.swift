import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Dispatch
import Foundation
import XMLSignature

/// `--rules FILE`: the routing table (default: $CLEARANCE_ROUTES, else the built-in
/// schemas/routing/default-routes.yaml, so that no command depends on the working directory).
struct RulesOption: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("Routing rules (YAML; default: $CLEARANCE_ROUTES, else the built-in schemas/routing/default-routes.yaml).", valueName: "FILE"))
    var path: String?

    var source: RoutingSource {
        if let path, !path.isEmpty { return .file(path) }
        if let env = ProcessInfo.processInfo.environment["CLEARANCE_ROUTES"], !env.isEmpty { return .file(env) }
        return .defaults
    }

    /// Loads the table with hot reload, or fails with exit code 2 listing every problem.
    func watcher() throws -> RoutingTableWatcher {
        do {
            return try RoutingTableWatcher(source: source)
        } catch {
            OutputBuffer.standardError("clearance: invalid routing rules:\n\(error)\n")
            throw Exit.usage
        }
    }
}

/// `--key/--cert`: the service's signing key for outbound messages.
struct ServiceKeyOption: ParsableArguments {
    @Option(help: "Service signing key for outbound messages: a PEM file or a PKCS#11 URI pkcs11:token=…;object=… (default: $CLEARANCE_KEY; none: forward unsigned).")
    var key: String?

    @Option(help: "Service certificate (PEM) (default: $CLEARANCE_CERT).")
    var cert: String?

    @OptionGroup var secret: KeySecretOptions

    func load() throws -> (PrivateKey, Certificate)? {
        let env = ProcessInfo.processInfo.environment
        guard let keyPath = key ?? env["CLEARANCE_KEY"], let certPath = cert ?? env["CLEARANCE_CERT"] else { return nil }
        do {
            let certPEM = try String(contentsOfFile: certPath, encoding: .utf8)
            return (try secret.loadKey(keyPath), try Certificate(pem: certPEM))
        } catch {
            OutputBuffer.standardError("clearance: cannot load the service key: \(error)\n")
            throw Exit.usage
        }
    }
}

extension StoreOption {
    /// Opens the store with the flow and account operations, or fails with exit code 2.
    func openAccess() async throws -> any AccessStore {
        try await opening { url throws(StoreError) in try await openAccessStore(url: url) }
    }

    /// Opens the store with the flow operations, or fails with exit code 2.
    func openFlow() async throws -> any ClearanceFlowStore {
        try await opening { url throws(StoreError) in try await openFlowStore(url: url) }
    }
}

/// Runs `body` until it returns or SIGINT/SIGTERM arrives (then cancels it and waits).
enum Interruptible {
    static func run(_ body: @escaping @Sendable () async -> Void) async {
        let task = Task { await body() }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        await task.value
        sources.forEach { $0.cancel() }
    }
}
