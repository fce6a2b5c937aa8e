import ArgumentParser
import ClearanceDemo
import ClearanceRouting
import ClearanceServer
import ClearanceStore
import Foundation
import Logging

/// `clearance serve`: the HTTP service (API, ops pages, metrics) with the outbox worker.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service: API for merchants and customs systems, ops pages, metrics, outbox delivery.",
        discussion: """
            Several instances may run behind a load balancer against one PostgreSQL store: they keep no \
            state of their own, and outbox claims (FOR UPDATE SKIP LOCKED) never hand a row to two workers.

            --demo starts the customs simulator in-process, creates demo accounts with fresh API keys, loads \
            the Pingtan sample shipment (built in; --samples DIR reads it from DIR), and prints the ops sign-in URL, the key to paste \
            there and a curl example. \
            Without --store the demo uses the SQLite file .clearance-demo/clearance.sqlite.
            """
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var rules: RulesOption
    @OptionGroup var serviceKey: ServiceKeyOption
    @OptionGroup var partitions: PartitionOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Flag(help: "Start the customs simulator in-process and load the Pingtan sample shipment.")
    var demo = false

    @Option(help: "Directory to read the sample shipment of --demo from (default: the copies built in).")
    var samples: String?

    @Option(help: "Largest batch upload per enterprise without its own limit, in bytes.")
    var maxBatchBytes: Int64 = 256 << 20

    @Option(help: "Requests per second per API key.")
    var rate: Double = 200

    @Option(help: "Batch uploads one API key may have in progress at once (one more: 429 with Retry-After).")
    var maxUploadsPerKey = 4

    @Option(help: "Batch uploads this instance accepts in progress at once (one more: 503 with Retry-After).")
    var maxUploads = 32

    @Option(help: "PostgreSQL connections of this instance (each on its own thread).")
    var pool = 8

    @Option(help: "Single messages that may share one store transaction and commit (group commit); 1 disables grouping.")
    var groupCommitMax = 64

    @Option(help: "Milliseconds a group waits for more messages while requests keep arriving (a lone message never waits).")
    var groupCommitWindowMs = 1.0

    @Flag(help: "Log every request.")
    var verbose = false

    @Option(help: "Serve HTTPS with this certificate chain (PEM).")
    var tlsCert: String?

    @Option(help: "Private key of --tls-cert (PEM).")
    var tlsKey: String?

    @Option(help: "CA certificates (PEM) of client certificates for mutual TLS (see enterprise cert register --client).")
    var clientCA: String?

    @Option(help: "Require 'Authorization: Bearer <token>' on /metrics (or set CLEARANCE_METRICS_TOKEN, which keeps it out of ps).")
    var metricsToken: String?

    @Flag(help: "A TLS-terminating proxy in front sets X-Forwarded-Proto: mark the ops session cookie Secure when it says https.")
    var trustProxy = false

    @Option(help: "The address buyers reach the service at (e.g. https://track.example.cn): the API's trackingUrl is absolute under it.")
    var publicURL: String?

    func run() async throws {
        let level: Logger.Level = verbose ? .info : .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return ScrubbingLogHandler(wrapping: handler)
        }
        let logger = Logger(label: "clearance.serve")
        var tls: ServerConfiguration.TLSFiles?
        if let tlsCert, let tlsKey {
            tls = .init(certificatePath: tlsCert, keyPath: tlsKey, clientCAPath: clientCA)
        } else if tlsCert != nil || tlsKey != nil || clientCA != nil {
            OutputBuffer.standardError("clearance: --tls-cert and --tls-key go together (--client-ca needs both)\n")
            throw Exit.usage
        }
        var configuration = ServerConfiguration(
            host: host, port: port, storeURL: store.resolved, defaultMaxBatchBytes: maxBatchBytes,
            rateLimitPerSecond: rate, rateLimitBurst: rate * 2, tls: tls, trustForwardedProto: trustProxy,
            metricsToken: metricsToken ?? ProcessInfo.processInfo.environment["CLEARANCE_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            maxUploadsPerKey: maxUploadsPerKey, maxUploads: maxUploads)
        configuration.publicBaseURL = publicURL
        // The buyer page's link key: from the environment only (kept out of ps and shell history).
        if let secret = ProcessInfo.processInfo.environment["CLEARANCE_TRACKING_SECRET"], !secret.isEmpty {
            guard secret.utf8.count >= 16 else {
                OutputBuffer.standardError("clearance: CLEARANCE_TRACKING_SECRET must be at least 16 bytes\n")
                throw Exit.usage
            }
            configuration.trackingSecret = Array(secret.utf8)
        }
        if demo {
            try await runDemo(configuration, logger: logger)
        } else {
            try await runService(configuration, logger: logger)
        }
    }

    private func openStore(_ url: String?) async throws -> any AccessStore {
        guard groupCommitWindowMs.isFinite, (0...1000).contains(groupCommitWindowMs), groupCommitMax >= 1 else {
            OutputBuffer.standardError("clearance: --group-commit-window-ms must be 0…1000 and --group-commit-max at least 1\n")
            throw Exit.usage
        }
        do {
            return try await openAccessStore(url: url, options: StoreOptions(
                postgresPoolSize: max(1, pool), groupCommitMaxWrites: groupCommitMax,
                groupCommitWindow: .microseconds(Int64((groupCommitWindowMs * 1000).rounded()))))
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
    }

    private func runService(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let watcher = try rules.watcher()
        let table = watcher.current()
        let key = try serviceKey.load()
        let opened = try await openStore(store.resolved)
        let metrics = ServiceMetrics()
        if let signingKey = key?.0 {
            let source = signingKey.token == nil ? "pem" : "pkcs11"
            signingKey.statistics.observe { seconds, failed in metrics.signed(seconds: seconds, failed: failed, keySource: source) }
        }
        let destinations: [String: any Destination]
        do {
            destinations = try DestinationFactory.make(table)
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
        // Webhook destinations are looked up in the store as rows for them come due: registrations
        // and changes made with `clearance enterprise webhook` apply without a restart.
        let worker = DeliveryWorker(
            store: opened, table: { watcher.current() }, destinations: destinations, directory: WebhookDirectory(store: opened),
            preparer: OutboundPreparer(key: key?.0, certificate: key?.1, senderId: table.senderId), logger: logger)
        let environment = try ServiceEnvironment(
            store: opened, configuration: configuration, routing: { watcher.current() }, metrics: metrics, logger: logger)
        let service = try await ClearanceApplication.start(
            environment, services: [OutboxService(worker: worker, metrics: metrics),
                                    WaitingReleaseService(forwarder: environment.batchForwarder, logger: logger),
                                    // SQLite: only its stored answers past retention (it has no partitions).
                                    PartitionService(store: opened, policy: partitions.policy, logger: logger)],
            handleSignals: true)
        let output = OutputBuffer()
        let scheme = configuration.tls == nil ? "http" : "https"
        output.line("clearance: serving on \(scheme)://\(configuration.host):\(service.port) (store \(store.display))")
        output.line("  API description: \(scheme)://\(configuration.host):\(service.port)/openapi.yaml")
        output.flush()
        try await service.wait()
        for destination in destinations.values { await destination.shutdown() }
        await worker.shutdown()
        await opened.close()
    }

    private func runDemo(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let work = URL(fileURLWithPath: ".clearance-demo", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let url = store.resolved ?? "sqlite:" + work.appendingPathComponent("clearance.sqlite").path
        let opened = try await openStore(url)
        let runtime = try await DemoRuntime.start(
            store: opened, configuration: configuration, routes: rules.source, samplesDirectory: samples,
            workDirectory: work, logger: logger, handleSignals: true)
        let base = "http://\(configuration.host):\(runtime.service.port)"
        let shipment = DemoRuntime.shipmentKey
        let output = OutputBuffer()
        output.line("Clearance demo is running on \(base) (store \((try? StoreLocation(url: url).description) ?? url)).")
        output.line("")
        output.line("Ops page: open the sign-in form and paste the ops desk's key")
        output.line("  \(base)/ops/login")
        output.line("  key: \(runtime.opsKey)")
        output.line("Shipment \(shipment) (released by the simulated customs within a minute):")
        output.line("  \(base)/ops/shipments/\(shipment)")
        output.line("")
        output.line("curl example (the e-commerce enterprise's key):")
        output.line("  curl -s -H 'Authorization: Bearer \(runtime.merchantKey)' \(base)/v1/shipments/\(shipment)/timeline")
        output.line("")
        output.line("Demo keys (shown once; stored hashed):")
        for (code, key) in runtime.keys.sorted(by: { $0.key < $1.key }) { output.line("  \(code)  \(key)") }
        output.line("Press Ctrl-C to stop.")
        output.flush()
        try await runtime.service.wait()
        await runtime.stop()
        await opened.close()
    }
}
