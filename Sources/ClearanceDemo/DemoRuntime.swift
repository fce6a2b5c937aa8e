import ClearanceRouting
import ClearanceServer
import ClearanceStore
import CustomsSimulator
import Foundation
import Logging
import Synchronization
import XMLSignature

/// `clearance serve --demo`: the service with the routing defaults, an in-process customs
/// simulator (HTTP for customs and payment destinations, the spool for the Pingtan channel) that
/// answers with receipts posted back to `/v1/messages`, demo accounts with fresh keys, and the
/// Pingtan sample shipment (order, payment, waybill, inventory) loaded.
public final class DemoRuntime: Sendable {
    /// The sample shipment to look at.
    public static let shipmentKey = "PT202611250001"
    /// The export shipment the demo loads beside it (order, payment receipt, waybill, inventory).
    public static let exportShipmentKey = "DH202611250088"
    /// Senders of the samples: API accounts created for the demo.
    static let accounts: [(code: String, name: String, role: EnterpriseRole)] = [
        ("OPS", "Operations desk", .ops),
        ("91350128MA8T4K2Q5P", "Pingtan cross-border platform", .system),
        ("91350102MA31C9UE4Q", "Strait payment", .system),
        ("91350128MA8RT6DX1Q", "Pingtan logistics", .system),
        ("3516980E2K", "Pingtan customs agent", .system),
        ("91350100MA2YH3LK7J", "Fuzhou Min-Tai trading (merchant)", .merchant),
    ]
    /// The authorities the simulator plays, each answering with its own account and the
    /// simulator's certificate registered for it (so the demo's receipts verify: `valid`).
    static let authorities: [(code: String, name: String, kind: AuthorityKind)] = [
        ("CUSTOMS", "Customs (simulated)", .customs),
        ("CIQ", "Inspection and quarantine (simulated)", .inspection),
        ("SAFE", "Payment / FX regulator (simulated)", .paymentForex),
        ("PINGTAN", "Fuzhou–Pingtan cross-strait channel (simulated)", .crossStrait),
    ]

    /// The running service.
    public let service: RunningService
    /// Keys created for this run, by enterprise code (shown once).
    public let keys: [String: String]
    private let simulator: SimulatorServer
    private let spoolSimulators: [CustomsSimulator]
    /// Spool readers and the outbox worker; cancelling it stops both.
    private let spoolTask: Task<Void, Never>
    private let destinations: [String: any Destination]

    private init(service: RunningService, keys: [String: String], simulator: SimulatorServer, spoolSimulators: [CustomsSimulator],
                 spoolTask: Task<Void, Never>, destinations: [String: any Destination]) {
        self.service = service
        self.keys = keys
        self.simulator = simulator
        self.spoolSimulators = spoolSimulators
        self.spoolTask = spoolTask
        self.destinations = destinations
    }

    /// The ops key.
    public var opsKey: String { keys["OPS"] ?? "" }
    /// The merchant's key.
    public var merchantKey: String { keys["91350100MA2YH3LK7J"] ?? "" }

    /// Starts everything and loads the samples.
    /// - Parameters:
    ///   - routes: the routing table (by default the built-in `schemas/routing/default-routes.yaml`).
    ///   - samplesDirectory: where to read the sample shipment's files (``DemoSamples``) instead of
    ///     the copies compiled in.
    ///   - workDirectory: spool directories live here.
    ///   - stepDelaySeconds: pause between the simulator's receipts.
    public static func start(
        store: any AccessStore, configuration: ServerConfiguration, routes: RoutingSource = .defaults, samplesDirectory: String? = nil,
        workDirectory: URL, stepDelaySeconds: Double = 1, metrics: ServiceMetrics = ServiceMetrics(), logger: Logger,
        handleSignals: Bool = false
    ) async throws -> DemoRuntime {
        let admin = EnterpriseAdmin(store: store)
        var keys: [String: String] = [:]
        for account in accounts {
            if try await store.enterprise(code: account.code) == nil {
                try await admin.addEnterprise(EnterpriseRecord(code: account.code, name: account.name, role: account.role), actor: "demo")
            }
            keys[account.code] = try await admin.createKey(enterpriseCode: account.code, actor: "demo").key
        }
        // The simulator signs as every authority with one key; its certificate is registered for each.
        let simulatorKey = try PrivateKey.generate(kind: .ecP256)
        let simulatorCA = try CertificateAuthority.selfSigned(commonName: "Clearance demo authorities CA", key: try PrivateKey.generate(kind: .ecP256))
        let simulatorCertificate = try simulatorCA.issue(commonName: "Clearance demo authorities", publicKey: simulatorKey.publicKey)
        var authorityKeys: [AuthorityKind: String] = [:]
        for authority in authorities {
            try await admin.addEnterprise(EnterpriseRecord(
                code: authority.code, name: authority.name, role: .authority, requireSignature: true,
                certificatePEM: simulatorCertificate.pemRepresentation, authority: authority.kind), actor: "demo")
            let key = try await admin.createKey(enterpriseCode: authority.code, actor: "demo").key
            keys[authority.code] = key
            authorityKeys[authority.kind] = key
        }
        let signer = try DocumentSigner(key: simulatorKey, certificate: simulatorCertificate)
        // The service's own key: customs refuses an unsigned CEB621 (the outbound gate dead-letters it), and the
        // routing defaults ask for the e-port profile, which signs with SM2 (or RSA), not P-256.
        let serviceKey = try PrivateKey.generate(kind: .sm2)
        let serviceCertificate = try simulatorCA.issue(commonName: "Clearance demo service", publicKey: serviceKey.publicKey)
        let spool = workDirectory.appendingPathComponent("spool").path
        var env = ProcessInfo.processInfo.environment
        env["CLEARANCE_SPOOL"] = spool
        let routing = RoutingBox(try routes.load(environment: env))
        let environment = try ServiceEnvironment(
            store: store, configuration: configuration, routing: { routing.current }, metrics: metrics, logger: logger)

        // The service must listen before the simulator knows where to post receipts.
        let service = try await ClearanceApplication.start(environment, handleSignals: handleSignals)
        // Every authority's answers come back to this service like a real authority's would: with its own key.
        let receiptsURL = { (kind: AuthorityKind) in "http://127.0.0.1:\(service.port)/v1/messages?api_key=\(authorityKeys[kind] ?? "")" }
        // Customs asks for the payment data of the orders it receives, at the service's customs endpoint with
        // its own key, and takes the answers signed under the service's certificate (registered with it).
        let realtime = RealtimeDataConfig(
            requestsURL: "http://127.0.0.1:\(service.port)/v1/realtime/payment-requests", apiKey: authorityKeys[.customs],
            registeredCertificates: [serviceCertificate], askDelaySeconds: stepDelaySeconds)
        let simulator = SimulatorServer(simulator: try CustomsSimulator(config: SimulatorConfig(
            stepDelaySeconds: stepDelaySeconds,
            receiptsURLs: [.customs: receiptsURL(.customs), .inspection: receiptsURL(.inspection), .payment: receiptsURL(.paymentForex)],
            signer: signer, realtimeData: realtime)))
        let simulatorPort = try await simulator.start(host: "127.0.0.1", port: 0)
        let base = "http://127.0.0.1:\(simulatorPort)"
        for name in ["CLEARANCE_CUSTOMS_FUZHOU_URL", "CLEARANCE_CUSTOMS_XIAMEN_URL", "CLEARANCE_CUSTOMS_URL"] { env[name] = base + "/ceb" }
        env["CLEARANCE_FOREX_URL"] = base + "/payments"
        env["CLEARANCE_CUSTOMS_REALTIME_URL"] = base + "/ceb2grab/grab/realTimeDataUpload"
        let table = try routes.load(environment: env)
        routing.set(table)
        let destinations = try DestinationFactory.make(table)
        let worker = DeliveryWorker(
            store: store, table: { routing.current }, destinations: destinations, directory: WebhookDirectory(store: store),
            preparer: OutboundPreparer(key: serviceKey, certificate: serviceCertificate, senderId: table.senderId),
            policy: DeliveryPolicy(baseDelaySeconds: 0.5, maxDelaySeconds: 5, idlePollSeconds: 0.2), logger: logger)
        let outbox = OutboxService(worker: worker, metrics: metrics)
        let outboxTask = Task {
            try? await outbox.run()
            await worker.shutdown() // transports it built on demand (webhooks)
        }

        // Every spool destination (the Pingtan channel, inspection) is read by a simulator that
        // answers as the authority behind it.
        var spoolReaders: [SpoolSimulator] = []
        var spoolSimulators: [CustomsSimulator] = []
        for config in table.destinations.values {
            if case .spool(let s) = config.transport {
                let counterpart = Counterpart(destinationName: config.name)
                let answering = try CustomsSimulator(config: SimulatorConfig(
                    stepDelaySeconds: stepDelaySeconds, receiptsURL: receiptsURL(config.authority ?? .customs), signer: signer))
                spoolSimulators.append(answering)
                spoolReaders.append(SpoolSimulator(simulator: answering, directory: s.outbox, counterpart: counterpart))
            }
        }
        let readers = spoolReaders
        let spoolTask = Task {
            while !Task.isCancelled {
                for reader in readers { reader.pollOnce() }
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
            outboxTask.cancel()
            await outboxTask.value
        }

        // The sample shipment, as its senders would submit it.
        for (name, text) in DemoSamples.files {
            let bytes = try samplesDirectory.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0).appendingPathComponent(name))) }
                ?? Array(text.utf8)
            // Loaded as the local operator would (`clearance submit`): through the one intake.
            let result = try await environment.intake.accept(bytes, from: nil)
            logger.info("demo sample loaded", metadata: ["file": "\(name)", "guid": "\(result.guid)", "verdict": "\(result.verdict)"])
        }
        // The platform keeps what it sent to and got back from the payment provider, for customs' request.
        try await environment.paymentData.deposit(DemoSamples.paymentOriginal)
        return DemoRuntime(
            service: service, keys: keys, simulator: simulator, spoolSimulators: spoolSimulators, spoolTask: spoolTask, destinations: destinations)
    }

    /// Stops the simulator and the service.
    public func stop() async {
        spoolTask.cancel()
        await spoolTask.value
        await simulator.simulator.shutdown()
        for spool in spoolSimulators { await spool.shutdown() }
        await simulator.stop()
        await service.stop()
        for destination in destinations.values { await destination.shutdown() }
    }
}

/// The routing table in force, replaceable.
final class RoutingBox: Sendable {
    private let table: Mutex<RoutingTable>
    init(_ table: RoutingTable) { self.table = Mutex(table) }
    var current: RoutingTable { table.withLock { $0 } }
    func set(_ new: RoutingTable) { table.withLock { $0 = new } }
}
