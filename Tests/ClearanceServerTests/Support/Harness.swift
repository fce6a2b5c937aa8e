import ClearanceRouting
import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import XMLSignature

/// The Pingtan sample shipment's parties (samples/valid).
enum Parties {
    static let platform = "91350128MA8T4K2Q5P"   // ebpCode, sends CEB311
    static let payment = "91350102MA31C9UE4Q"    // payCode, sends CEB411
    static let logistics = "91350128MA8RT6DX1Q"  // sends CEB511
    static let agent = "3516980E2K"              // agentCode, sends CEB621
    static let merchant = "91350100MA2YH3LK7J"   // ebcCode: the e-commerce enterprise
    static let stranger = "3701960099"           // appears in no sample
    static let ops = "OPS-DESK"
    static let customs = "CUSTOMS"
    static let orderNo = "PT202611250001"
    static let logisticsNo = "LD350128000112501"
    static let buyerId = "350128199003070024"
    static let buyerPhone = "13905912345"
}

/// Collects log lines (after scrubbing) so tests can prove nothing personal is logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func handler(label: String) -> any LogHandler {
        ScrubbingLogHandler(wrapping: CaptureHandler(capture: self))
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).merging(metadata) { a, _ in a }.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(meta)")
        }
    }
}

/// A service on a fresh SQLite store with the sample parties as accounts, each with a key.
struct Harness {
    let store: any AccessStore
    let environment: ServiceEnvironment
    let keys: [String: String]
    let logs: LogCapture
    let spool: URL
    let ca: CertificateAuthority
    let table: RoutingTable
    /// Customs' signing key, whose certificate is registered for ``Parties/customs``.
    let customs: DocumentSigner

    /// A sample receipt signed by customs.
    func customsReceipt(_ name: String) throws -> [UInt8] { try customs.sign(bytes: try sample(name)) }

    /// - Parameter routing: the routing table in force, when not the harness's own spool table (e.g. one
    ///   that learns a simulator's port after the service started).
    static func make(
        configuration: ServerConfiguration = ServerConfiguration(), storeURL: String? = nil, routing: (@Sendable () -> RoutingTable)? = nil
    ) async throws -> Harness {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = storeURL ?? "sqlite:" + dir.appendingPathComponent("store.sqlite").path
        let store = try await openAccessStore(url: url, options: StoreOptions(buyerIdSalt: Array("server-test-salt-0123456789".utf8)))
        let admin = EnterpriseAdmin(store: store)
        var keys: [String: String] = [:]
        let accounts: [(String, EnterpriseRole)] = [
            (Parties.platform, .system), (Parties.payment, .system), (Parties.logistics, .system), (Parties.agent, .merchant),
            (Parties.merchant, .merchant), (Parties.stranger, .merchant), (Parties.ops, .ops), (Parties.customs, .authority),
        ]
        for (code, role) in accounts {
            try await admin.addEnterprise(
                EnterpriseRecord(code: code, name: "\(code) test", role: role, authority: role == .authority ? .customs : nil), actor: "test")
            keys[code] = try await admin.createKey(enterpriseCode: code, actor: "test").key
        }
        let spool = dir.appendingPathComponent("spool")
        let table = RoutingTable(
            senderId: "DXPENT0000000001",
            destinations: ["customs": DestinationConfig(
                name: "customs", transport: .spool(.init(outbox: spool.path)), envelope: .none, authority: .customs)],
            rules: [RoutingRule(name: "everything", match: RoutingRule.Match(), destinations: ["customs"])])
        let logs = LogCapture()
        let logger = Logger(label: "clearance.test") { label in logs.handler(label: label) }
        var config = configuration
        config.storeURL = url
        let environment = try ServiceEnvironment(store: store, configuration: config, routing: routing ?? { table }, logger: logger)
        let ca = try CertificateAuthority.selfSigned(commonName: "Test e-port CA", key: try PrivateKey.generate(kind: .ecP256))
        // Customs signs its receipts; the service takes them only with this registered certificate.
        let customsKey = try PrivateKey.generate(kind: .ecP256)
        let customsCertificate = try ca.issue(commonName: "Customs", publicKey: customsKey.publicKey)
        try await admin.registerCertificate(enterpriseCode: Parties.customs, pem: customsCertificate.pemRepresentation, require: true, actor: "test")
        let customs = try DocumentSigner(key: customsKey, certificate: customsCertificate)
        return Harness(store: store, environment: environment, keys: keys, logs: logs, spool: spool, ca: ca, table: table, customs: customs)
    }

    func application() throws -> some ApplicationProtocol {
        try ClearanceApplication.build(environment)
    }

    /// Issues a signing certificate for `code` from the test CA; registers it when asked.
    func signer(for code: String, register: Bool, require: Bool = true) async throws -> DocumentSigner {
        let key = try PrivateKey.generate(kind: .ecP256)
        let certificate = try ca.issue(commonName: code, publicKey: key.publicKey)
        if register {
            try await EnterpriseAdmin(store: store).registerCertificate(
                enterpriseCode: code, pem: certificate.pemRepresentation, require: require, actor: "test")
        }
        return try DocumentSigner(key: key, certificate: certificate)
    }

    func close() async { await store.close() }
}

/// Reads a sample message.
func sample(_ name: String) throws -> [UInt8] { try Repository.sample(name) }

/// The repository root.
let repositoryRoot = Repository.root

extension HTTPFields {
    static func key(_ key: String?, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        if let key { fields[.authorization] = "Bearer \(key)" }
        return fields
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
