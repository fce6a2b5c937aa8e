import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import CustomsSimulator
import Foundation
import Testing
import XMLSignature

/// customs' request for an order's payment data, end to end on both engines: not sent while the
/// originals are missing (reason on the request and the timeline), queued once they are deposited,
/// posted as the form field `payExInfoStr` by the outbox to the customs simulator's upload endpoint
/// (in-process: it checks the JSON, its session, the certificate and the signature, and answers with
/// customs' code), the signature checked again by the OpenSSL command line, customs' answer code on
/// the request and the order's timeline; another code dead-letters it.
///
/// (This suite used to hang: its receiver was a Python child process started with Foundation's
/// `Process` from a dispatch worker thread, whose blocked signal mask the child inherited, so
/// `terminate()`'s SIGTERM never arrived and `waitUntilExit()` waited forever after the test had
/// passed. The receiver is now the simulator, in-process: no child to stop.)
@Suite(.serialized) struct PaymentDataDeliveryTests {
    /// The simulated customs' upload endpoint on 127.0.0.1, taking signatures under `registered`.
    struct Receiver {
        let simulator: CustomsSimulator
        let server: SimulatorServer
        let port: Int

        static func start(registered: [Certificate]) async throws -> Receiver {
            let simulator = try CustomsSimulator(config: SimulatorConfig(realtimeData: RealtimeDataConfig(
                requestsURL: "http://127.0.0.1:9/unused", registeredCertificates: registered)))
            let server = SimulatorServer(simulator: simulator)
            return Receiver(simulator: simulator, server: server, port: try await server.start())
        }

        var inspector: PaymentDataInspector { simulator.paymentData! }

        func stop() async {
            await simulator.shutdown()
            await server.stop()
        }
    }

    static let signer: (PrivateKey, Certificate) = {
        let caKey = try! PrivateKey.generate(kind: .sm2)
        let ca = try! CertificateAuthority.selfSigned(commonName: "E-Port Test CA", key: caKey)
        let key = try! PrivateKey.generate(kind: .sm2)
        let cert = try! ca.issue(commonName: "Clearance platform", publicKey: key.publicKey, serialNumber: [0x03, 0, 0, 0, 0, 0x0c, 0xde, 0x6f])
        return (key, cert)
    }()

    func table(port: Int) -> RoutingTable {
        let realtime = DestinationConfig(
            name: "customs-realtime", transport: .http(.init(url: "http://127.0.0.1:\(port)/ceb2grab/grab/realTimeDataUpload", timeoutSeconds: 5, concurrency: 1)),
            profile: .eport, envelope: .none, receiverId: nil, maxAttempts: 3, maxAgeSeconds: 3600)
        var table = RoutingTable(senderId: "DXPENT0000000001", destinations: ["customs-realtime": realtime], rules: [])
        table.realtimeData = "customs-realtime"
        return table
    }

    /// Delivers everything due, then closes the HTTP clients.
    func drain(_ store: any ClearanceFlowStore, _ table: RoutingTable) async throws -> DeliveryRound {
        let destinations = try DestinationFactory.make(table)
        let (key, cert) = Self.signer
        let worker = DeliveryWorker(
            store: store, table: { table }, destinations: destinations,
            preparer: OutboundPreparer(key: key, certificate: cert, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, leaseSeconds: 5, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, jitter: 0.5, idlePollSeconds: 0.05))
        let round = try await worker.drain(maxRounds: 50, timeout: 300)
        await worker.shutdown()
        for destination in destinations.values { await destination.shutdown() }
        return round
    }

    func events(_ store: any Store, _ orderNo: String) async throws -> [(String, String?)] {
        try #require(try await store.trace(.orderNo(orderNo))).events.map { ($0.kind.rawValue, $0.code) }
    }

    func deposit(_ orderNo: String, _ payTransactionId: String) -> PaymentOriginal {
        PaymentOriginal(
            payTransactionId: payTransactionId, orderNo: orderNo, enterpriseCode: "3516961011",
            initalRequest: "POST /gateway card=6222020200112233445&idNo=350128199003070024&amount=99.50",
            initalResponse: "{\"result\":\"SUCCESS\"}", verDept: "3", payType: "1", recpAccount: "6222020200998877665",
            recpCode: "91350128MA2Y00000X", recpName: "平潭跨境电商有限公司",
            itemLinks: [1: "https://shop.example/item/1", 2: "https://shop.example/item/2", 3: "https://shop.example/item/3"])
    }

    /// A fresh store with shipment `n`'s order and payment accepted, and the simulated customs taking
    /// signatures under `registered`.
    func setUp(_ engine: TestEngine, registered: [Certificate], shipment n: Int) async throws
        -> (any ClearanceFlowStore, any Store & PaymentDataStore, Receiver, RoutingTable, SampleShipment) {
        let store = try await makeFlowStore(engine)
        let dataStore = try #require(store as? any Store & PaymentDataStore)
        let receiver = try await Receiver.start(registered: registered)
        let table = table(port: receiver.port)
        let flow = ClearanceFlow(store: store, routing: { table })
        let shipment = SampleShipment.make(n)
        _ = try await flow.accept(shipment.order)
        _ = try await flow.accept(shipment.payment)
        return (store, dataStore, receiver, table, shipment)
    }

    @Test(arguments: TestEngine.allCases)
    func missingOriginalsThenDepositThenPostedAndAnswered(_ engine: TestEngine) async throws {
        let (store, dataStore, receiver, table, shipment) = try await setUp(engine, registered: [Self.signer.1], shipment: 4242)
        let desk = PaymentDataDesk(store: dataStore, table: { table })

        let asked = receiver.inspector.ask(orderNo: shipment.orderNo)
        let request = try await desk.request(sessionID: asked.sessionID, orderNo: shipment.orderNo, serviceTime: asked.serviceTime, requestedBy: "CUSTOMS")
        #expect(request.state == .notSent)
        #expect(request.reason?.hasPrefix("RTD001") == true, "\(request.reason ?? "")")
        #expect(try await events(store, shipment.orderNo).contains { $0 == ("payment-data-not-sent", "RTD001") })
        #expect(try await store.outboxEntries(status: nil, limit: 10).isEmpty, "nothing is sent")

        let payment = try #require(try await dataStore.declaration(kind: .payment, orderNo: shipment.orderNo))
        let payTransactionId = try #require(payment.payTransactionId)
        let queued = try await desk.deposit(deposit(shipment.orderNo, payTransactionId))
        #expect(queued.map(\.state) == [.queued])
        let stored = try #require(try await dataStore.paymentOriginal(payTransactionId: payTransactionId))
        #expect(!stored.masked.initalRequest.contains("6222020200112233445"))
        #expect(!stored.masked.initalRequest.contains("350128199003070024"))

        let round = try await drain(store, table)
        #expect(round.delivered == 1)
        let answered = try #require(try await dataStore.paymentDataRequest(id: request.id))
        #expect(answered.state == .answered)
        #expect(answered.customsCode == "10000")
        #expect(try await events(store, shipment.orderNo).contains { $0 == ("payment-data-answered", "10000") })

        // What customs received: taken by the simulator; the documented shape, the originals unmasked, signed as checked by openssl.
        let upload = try #require(receiver.inspector.uploads.first)
        #expect(upload.verdict == .accepted, "\(upload.detail)")
        let text = upload.payExInfoStr
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["sessionID"] as? String == asked.sessionID)
        #expect(object["certNo"] as? String == "03000000000cde6f")
        let head = try #require(object["payExchangeInfoHead"] as? [String: Any])
        #expect(head["payTransactionId"] as? String == payTransactionId)
        #expect((head["initalRequest"] as? String)?.contains("6222020200112233445") == true)
        let lists = try #require(object["payExchangeInfoLists"] as? [[String: Any]])
        #expect(lists.first?["orderNo"] as? String == shipment.orderNo)
        // The signed string rebuilt from the received text alone (head and lists as sent), checked by openssl.
        let ok = try await OpenSSLCLI.verifyPaymentData(text, publicKeyPEM: Self.signer.0.publicKey.pemRepresentation)
        #expect(ok.status == 0, "\(ok.output)")
        await receiver.stop()
        await store.close()
    }

    @Test(arguments: TestEngine.allCases)
    func anotherCustomsCodeIsStoredAndDeadLettered(_ engine: TestEngine) async throws {
        let (store, dataStore, receiver, table, shipment) = try await setUp(engine, registered: [], shipment: 4343)
        let desk = PaymentDataDesk(store: dataStore, table: { table })
        let payment = try #require(try await dataStore.declaration(kind: .payment, orderNo: shipment.orderNo))
        try await dataStore.depositPaymentOriginal(deposit(shipment.orderNo, try #require(payment.payTransactionId)))
        let asked = receiver.inspector.ask(orderNo: shipment.orderNo)
        let request = try await desk.request(sessionID: asked.sessionID, orderNo: shipment.orderNo, serviceTime: asked.serviceTime, requestedBy: "CUSTOMS")
        #expect(request.state == .queued)
        let round = try await drain(store, table)
        #expect(round.dead == 1)
        let refused = try #require(try await dataStore.paymentDataRequest(id: request.id))
        #expect(refused.state == .refused)
        #expect(refused.customsCode == "20004")
        let dead = try await store.outboxEntries(status: .dead, limit: 10)
        #expect(dead.count == 1 && dead[0].paymentRequestId == request.id)
        #expect(dead.first?.lastError?.contains("20004") == true)
        #expect(try await events(store, shipment.orderNo).contains { $0 == ("payment-data-answered", "20004") })
        #expect(receiver.inspector.uploads.map(\.verdict) == [.certificateNotRegistered])
        await receiver.stop()
        await store.close()
    }
}
