import CEBModel
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// Paths, fresh shipments, stores and keys for the routing tests.
enum FlowFixtures {
    static let root = Repository.root

    static func sample(_ name: String) -> [UInt8] { (try? Repository.sample(name)) ?? [] }

    /// A delivery worker for `table`, signing with the service key, polling fast (end-to-end tests).
    /// It builds its transports itself: `shutdown()` closes them.
    static func fastWorker(store: any ClearanceFlowStore, table: RoutingTable) -> DeliveryWorker {
        let (key, cert) = serviceKey
        return DeliveryWorker(
            store: store, table: { table },
            preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, leaseSeconds: 10, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, idlePollSeconds: 0.02))
    }

    /// A receipt processor that requires signatures chaining to `trust`.
    static func signedReceipts(store: any ClearanceFlowStore, trust: TrustStore) -> ReceiptProcessor {
        ReceiptProcessor(store: store, verifier: SignatureVerifier(policy: SignaturePolicy(trustStore: trust)), requireSignature: true)
    }

    static var defaultRoutes: String { Repository.path("schemas/routing/default-routes.yaml") }

    /// The `clearance` executable built next to the tests.
    static var clearanceBinary: String? { try? TestBinaries.clearance() }

    /// A scratch directory.
    static func tempDir(_ label: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-routing-\(label)-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// One retail import (order, payment, waybill, inventory) made from the Pingtan samples with
    /// fresh guids, numbers and buyer, so shipments never collide.
    struct Shipment {
        var order: [UInt8]
        var payment: [UInt8]
        var waybill: [UInt8]
        var inventory: [UInt8]
        var orderNo: String
        var logisticsNo: String
        var copNo: String
        var all: [(name: String, bytes: [UInt8])] { [("order", order), ("payment", payment), ("waybill", waybill), ("inventory", inventory)] }
        var guids: [String] { all.map { FlowFixtures.envelopeGuid($0.bytes) } }
    }

    static func residentID(_ first17: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(first17, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return first17 + String(Array("10X98765432")[sum % 11])
    }

    static func shipment(_ n: Int, port: String? = nil, transform: ((inout String, String) -> Void)? = nil) -> Shipment {
        let number = String(format: "%08d", n % 100_000_000)
        let orderNo = "PT2026" + number                     // 14 characters, as PT202611250001
        let logisticsNo = "LD35012800" + String(format: "%07d", n % 10_000_000)
        let copNo = "PTQD2026" + number
        let buyer = residentID("35012819900307" + String(format: "%03d", n % 1000))
        let replacements: [(String, String)] = [
            ("PTQD202611250001", copNo), ("PT202611250001", orderNo), ("LD350128000112501", logisticsNo),
            ("35162026I000012345", "35162026I" + String(format: "%09d", n % 1_000_000_000)),
            ("B20261125000012345", "B2026" + String(format: "%013d", n)),
            ("HXPAY2026112509351200001", "HXPAY2026" + String(format: "%015d", n)),
            ("350128199003070024", buyer),
        ]
        func make(_ file: String, _ kind: String) -> [UInt8] {
            var text = String(decoding: sample(file), as: UTF8.self)
            for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
            text = freshGuids(text)
            if let port, kind == "inventory" { text = text.replacingOccurrences(of: "<ceb:portCode>3516</ceb:portCode>", with: "<ceb:portCode>\(port)</ceb:portCode>") }
            transform?(&text, kind)
            return Array(text.utf8)
        }
        return Shipment(
            order: make("CEB311-order.xml", "order"), payment: make("CEB411-payment.xml", "payment"),
            waybill: make("CEB511-logistics.xml", "waybill"), inventory: make("unsigned/CEB621-inventory.xml", "inventory"),
            orderNo: orderNo, logisticsNo: logisticsNo, copNo: copNo)
    }

    static func freshGuids(_ text: String) -> String {
        var out = text
        for pattern in ["guid=\"([0-9A-Fa-f-]{36})\"", "<ceb:guid>([0-9A-Fa-f-]{36})</ceb:guid>"] {
            let regex = try! NSRegularExpression(pattern: pattern)
            let matches = regex.matches(in: out, range: NSRange(out.startIndex..., in: out)).reversed()
            for match in matches {
                let range = Range(match.range(at: 1), in: out)!
                out.replaceSubrange(range, with: UUID().uuidString)
            }
        }
        return out
    }

    static func envelopeGuid(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(600), as: UTF8.self)
        guard let r = text.range(of: "guid=\"") else { return "" }
        return String(text[r.upperBound...].prefix(36))
    }

    /// A routing table sending every import message to one HTTP receiver (dxp envelope, standard profile).
    static func tableToHTTP(_ url: String, maxAttempts: Int = 50, timeout: Double = 2) -> RoutingTable {
        let customs = DestinationConfig(
            name: "customs", transport: .http(.init(url: url, timeoutSeconds: timeout, concurrency: 4)), profile: .standard,
            envelope: .dxp, receiverId: "DXPEDCCEB0000001", maxAttempts: maxAttempts, maxAgeSeconds: 3600)
        var all = RoutingRule.Match()
        all.messageTypes = ["CEB311", "CEB411", "CEB511", "CEB621"]
        return RoutingTable(senderId: "DXPENT0000000001", destinations: ["customs": customs],
                            rules: [RoutingRule(name: "all-to-customs", match: all, destinations: ["customs"], isFinal: true)])
    }

    /// A throwaway service key and certificate (P-256, standard profile).
    static let serviceKey: (PrivateKey, Certificate) = {
        let caKey = try! PrivateKey.generate(kind: .ecP256)
        let ca = try! CertificateAuthority.selfSigned(commonName: "Clearance Test CA", key: caKey)
        let key = try! PrivateKey.generate(kind: .ecP256)
        let cert = try! ca.issue(commonName: "Clearance service", publicKey: key.publicKey)
        return (key, cert)
    }()
}

let flowTestSalt = Array("clearance-routing-test-salt-0123456789".utf8)

/// A fresh, migrated flow store.
func makeFlowStore(_ engine: TestEngine, url: String? = nil) async throws -> any ClearanceFlowStore {
    try await openFlowStore(url: url ?? freshURL(engine), options: StoreOptions(buyerIdSalt: flowTestSalt))
}
