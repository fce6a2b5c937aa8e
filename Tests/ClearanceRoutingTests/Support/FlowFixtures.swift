import CEBModel
import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// Workers, tables, stores and keys for the routing tests (shipments and samples: ClearanceTestSupport's
/// ``SampleShipment`` and ``Repository``).
enum FlowFixtures {
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

    /// A routing table sending every import message to one HTTP receiver (dxp envelope, standard profile).
    /// Three shipments from `first`: their orders and waybills accepted, the payments of the first
    /// two; then their inventories stored as one batch (in pieces of `partSize` bytes) and forwarded,
    /// so the first two go and the third waits for its payment. Returns the shipments and the batch's guid.
    static func batchWaitingForOnePayment(
        _ store: any ClearanceFlowStore, table: RoutingTable, first: Int, partSize: Int = 1 << 20
    ) async throws -> (shipments: [SampleShipment], guid: String) {
        let flow = ClearanceFlow(store: store, routing: { table })
        let shipments = (0..<3).map { SampleShipment.make(first + $0) }
        for s in shipments { _ = try await flow.accept(s.order); _ = try await flow.accept(s.waybill) }
        for s in shipments.prefix(2) { _ = try await flow.accept(s.payment) }
        let path = scratchDirectory("waiting-batch") + "/batch.xml"
        try SampleShipment.inventoryBatch(shipments).write(toFile: path, atomically: true, encoding: .utf8)
        let guid = try #require(try await BatchIngestor.ingest(path: path, store: store, options: IngestOptions(partSize: partSize)).messageGuid)
        let forwarded = try await BatchForwarder(store: store, routing: { table }).forward(messageGuid: guid)
        #expect(forwarded.verdicts?.routed == 2 && forwarded.verdicts?.awaiting == 1, "\(forwarded)")
        return (shipments, guid)
    }

    static func tableToHTTP(_ url: String, maxAttempts: Int = 50, timeout: Double = 2, connectTimeout: Double? = nil) -> RoutingTable {
        let customs = DestinationConfig(
            name: "customs", transport: .http(.init(url: url, timeoutSeconds: timeout, connectTimeoutSeconds: connectTimeout, concurrency: 4)), profile: .standard,
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
