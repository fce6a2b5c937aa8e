import ClearanceRouting
import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import CustomsSimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import XMLSignature

/// Real-time payment data (announcement 2018 No. 179) through the real service on both stores, with
/// the customs simulator playing customs: it receives the order, asks the service for the payment
/// data with its authority key, and checks the signed upload that answers it.
@Suite("Real-time payment data, end to end", .serialized)
struct PaymentDataEndToEndTests {
    static let payTransactionId = "HXPAY2026112509351200001"

    /// The routing table in force, set once the simulator listens.
    final class TableBox: Sendable {
        private let table = Mutex(RoutingTable(senderId: "DXPENT0000000001", destinations: [:], rules: []))
        var current: RoutingTable { table.withLock { $0 } }
        func set(_ new: RoutingTable) { table.withLock { $0 = new } }
    }

    /// Everything one test runs: the service, the simulated customs and the outbox worker.
    struct Rig {
        let h: Harness
        let service: RunningService
        let server: SimulatorServer
        let simulator: CustomsSimulator
        let serviceKey: PrivateKey
        let serviceCertificate: Certificate
        let outbox: Task<Void, Never>

        static func start(_ engine: TestEngine, registerServiceCertificate: Bool = true) async throws -> Rig {
            let box = TableBox()
            let h = try await Harness.make(
                configuration: ServerConfiguration(host: "127.0.0.1", port: 0), storeURL: try freshURL(engine), routing: { box.current })
            let service = try await ClearanceApplication.start(h.environment)
            // The service's e-port key (SM2), its certificate issued by the test CA.
            let serviceKey = try PrivateKey.generate(kind: .sm2)
            let serviceCertificate = try h.ca.issue(commonName: "Clearance platform", publicKey: serviceKey.publicKey)
            let simulator = try CustomsSimulator(config: SimulatorConfig(
                stepDelaySeconds: 0.01,
                realtimeData: RealtimeDataConfig(
                    requestsURL: "http://127.0.0.1:\(service.port)/v1/realtime/payment-requests", apiKey: h.keys[Parties.customs],
                    registeredCertificates: registerServiceCertificate ? [serviceCertificate] : [], askDelaySeconds: 0.01)))
            let server = SimulatorServer(simulator: simulator)
            let port = try await server.start()
            let base = "http://127.0.0.1:\(port)"
            var table = RoutingTable(
                senderId: "DXPENT0000000001",
                destinations: [
                    "customs": DestinationConfig(
                        name: "customs", transport: .http(.init(url: base + "/ceb", timeoutSeconds: 5, concurrency: 2)),
                        envelope: .none, authority: .customs, maxAttempts: 5),
                    "customs-realtime": DestinationConfig(
                        name: "customs-realtime",
                        transport: .http(.init(url: base + "/ceb2grab/grab/realTimeDataUpload", timeoutSeconds: 5, concurrency: 1)),
                        profile: .eport, envelope: .none, authority: .customs, maxAttempts: 3),
                ],
                rules: [RoutingRule(name: "everything", match: RoutingRule.Match(), destinations: ["customs"])])
            table.realtimeData = "customs-realtime"
            box.set(table)
            let worker = DeliveryWorker(
                store: h.store, table: { box.current },
                preparer: OutboundPreparer(key: serviceKey, certificate: serviceCertificate, senderId: table.senderId),
                policy: DeliveryPolicy(batchSize: 16, leaseSeconds: 5, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, jitter: 0.5, idlePollSeconds: 0.05))
            let outbox = Task {
                await worker.run()
                await worker.shutdown()
            }
            return Rig(h: h, service: service, server: server, simulator: simulator, serviceKey: serviceKey,
                       serviceCertificate: serviceCertificate, outbox: outbox)
        }

        func stop() async {
            outbox.cancel()
            await outbox.value
            await simulator.shutdown()
            await server.stop()
            await service.stop()
            await h.close()
        }

        var dataStore: any PaymentDataStore { h.environment.paymentData.store }

        /// customs' requests for the sample order.
        func requests() async throws -> [PaymentDataRequest] {
            try await dataStore.paymentDataRequests(orderNo: Parties.orderNo, state: nil, limit: 10)
        }

        /// The sample order's timeline events as (kind, code).
        func events() async throws -> [(String, String?)] {
            try #require(try await h.store.trace(.orderNo(Parties.orderNo))).events.map { ($0.kind.rawValue, $0.code) }
        }
    }

    /// Polls `condition` every 50 ms for at most `seconds` (generous: the machine is loaded).
    static func eventually(_ what: String, seconds: Double = 300, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("timed out after \(seconds) s waiting until \(what)")
        throw CancellationError()
    }

    /// The platform's deposit for the sample payment, as JSON.
    static let deposit = #"""
        {"initalRequest": "POST https://gateway.strait-pay.example/pay cardNo=6222020200112233445&idNo=350128199003070024&amount=800.43",
         "initalResponse": "{\"result\":\"SUCCESS\",\"tradeNo\":\"HXPAY2026112509351200001\"}",
         "verDept": "3", "payType": "1", "recpAccount": "35050187000700001234", "recpCode": "91350128MA8T4K2Q5P",
         "recpName": "平潭海峡跨境电子商务平台有限公司", "itemLinks": {"1": "https://shop.example/item/1", "2": "https://shop.example/item/2"}}
        """#

    /// Submits the sample payment, then the order, as their senders (customs asks on the order, by
    /// when the payment is stored).
    static func submitOrderAndPayment(_ client: some TestClientProtocol, _ h: Harness) async throws {
        for (party, name) in [(Parties.payment, "CEB411-payment.xml"), (Parties.platform, "CEB311-order.xml")] {
            let r = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[party]), body: ByteBuffer(bytes: try sample(name)))
            #expect(r.status == .accepted, "\(name): \(r.text)")
        }
    }

    static func put(_ client: some TestClientProtocol, _ key: String?, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/payments/\(payTransactionId)/original", method: .put,
                                 headers: .key(key, [.contentType: "application/json"]), body: ByteBuffer(string: body))
    }

    @Test("customs asks; the missing original is shown, then answered once when deposited; the signature verifies in openssl", arguments: TestEngine.allCases)
    func missingThenDepositedThenAnsweredOnce(_ engine: TestEngine) async throws {
        let rig = try await Rig.start(engine)
        let h = rig.h
        try await h.application().test(.router) { client in
            try await Self.submitOrderAndPayment(client, h)
            // The outbox takes the order to the simulated customs, which asks for its payment data.
            try await Self.eventually("customs asked and the request is not sent (no original)") {
                let first = try await rig.requests().first
                return first?.state == .notSent && first?.reason != nil
            }
            let waiting = try #require(try await rig.requests().first)
            #expect(waiting.reason?.hasPrefix("RTD001") == true, "\(waiting.reason ?? "")")
            #expect(waiting.requestedBy == Parties.customs)
            #expect(try await rig.events().contains { $0 == ("payment-data-not-sent", "RTD001") })
            #expect(rig.simulator.paymentData?.uploads.isEmpty == true, "nothing is sent without the original")
            // Ops see why on their page.
            let ops = try await OpsSignIn.signIn(client, key: try #require(h.keys[Parties.ops]))
            let page = try await client.execute(uri: "/ops/payment-requests?state=not-sent", method: .get, headers: ops.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains(waiting.sessionID) && page.text.contains("RTD001"), "\(page.text)")
            let merchant = try await client.execute(uri: "/ops/payment-requests", method: .get, headers: .key(h.keys[Parties.merchant]))
            #expect(merchant.status == .notFound || merchant.status == .unauthorized || merchant.status == .seeOther, "\(merchant.status)")
            #expect(await rig.simulator.waitUntilAsked(timeout: 30))
            #expect(rig.simulator.paymentDataAcknowledgements[waiting.sessionID]?.contains("\"code\":\"10000\"") == true,
                    "\(rig.simulator.paymentDataAcknowledgements)")

            // Only the payment's parties may deposit; the platform's deposit answers the waiting request.
            let stranger = try await Self.put(client, h.keys[Parties.stranger], Self.deposit)
            #expect(stranger.status == .notFound)
            let deposited = try await Self.put(client, h.keys[Parties.platform], Self.deposit)
            #expect(deposited.status == .ok, "\(deposited.text)")
            #expect(!deposited.text.contains("6222020200112233445") && !deposited.text.contains("350128199003070024"), "masked: \(deposited.text)")
            let depositJSON = try deposited.json()
            #expect(depositJSON["depositedBy"] as? String == Parties.platform)
            #expect((depositJSON["itemLinks"] as? [String: String])?["1"] == "https://shop.example/item/1", "\(depositJSON)")
            #expect((depositJSON["recpAccount"] as? String)?.contains("*") == true, "the payee's account is masked too")
            let queued = depositJSON["queued"] as? [[String: Any]]
            #expect(queued?.map { $0["state"] as? String } == ["queued"])
            let shown = try await client.execute(uri: "/v1/payments/\(Self.payTransactionId)/original", method: .get, headers: .key(h.keys[Parties.payment]))
            #expect(shown.status == .ok)
            #expect(!shown.text.contains("6222020200112233445"), "masked: \(shown.text)")

            try await Self.eventually("customs' answer code is stored") { try await rig.requests().first?.state == .answered }
            let answered = try #require(try await rig.requests().first)
            #expect(answered.customsCode == "10000")
            #expect(try await rig.events().contains { $0 == ("payment-data-answered", "10000") })

            // What customs received: its session, the originals whole, verified by the simulator and by openssl.
            let uploads = try #require(rig.simulator.paymentData?.uploads)
            #expect(uploads.count == 1)
            let upload = try #require(uploads.first)
            #expect(upload.verdict == .accepted, "\(upload.detail)")
            #expect(upload.sessionID == waiting.sessionID)
            #expect(upload.payExInfoStr.contains("6222020200112233445"), "customs gets the original unmasked")
            let verified = try await OpenSSLCLI.verifyPaymentData(upload.payExInfoStr, publicKeyPEM: rig.serviceKey.publicKey.pemRepresentation)
            #expect(verified.status == 0, "\(verified.output)")
            var tampered = upload.payExInfoStr
            tampered = tampered.replacingOccurrences(of: "800.43", with: "800.44")
            let refused = try await OpenSSLCLI.verifyPaymentData(tampered, publicKeyPEM: rig.serviceKey.publicKey.pemRepresentation)
            #expect(refused.status != 0, "a changed amount must not verify")

            // A second deposit answers nothing again.
            let again = try await Self.put(client, h.keys[Parties.platform], Self.deposit)
            #expect((try again.json()["queued"] as? [Any])?.isEmpty == true)
            let delivered = try await h.store.outboxEntries(status: nil, limit: 100).filter { $0.paymentRequestId != nil }
            #expect(delivered.count == 1 && delivered.first?.status == .delivered)
            #expect(rig.simulator.paymentData?.uploads.count == 1)
        }
        await rig.stop()
    }

    @Test("customs refuses an unregistered certificate (20004): a dead letter on the ops outbox, replayed once registered", arguments: TestEngine.allCases)
    func refusedThenReplayed(_ engine: TestEngine) async throws {
        let rig = try await Rig.start(engine, registerServiceCertificate: false)
        let h = rig.h
        try await h.application().test(.router) { client in
            try await Self.submitOrderAndPayment(client, h)
            #expect(try await Self.put(client, h.keys[Parties.payment], Self.deposit).status == .ok)
            try await Self.eventually("customs refused the upload") { try await rig.requests().first?.state == .refused }
            let refused = try #require(try await rig.requests().first)
            #expect(refused.customsCode == "20004")
            #expect(try await rig.events().contains { $0 == ("payment-data-answered", "20004") })
            // The answer is recorded before the worker files its outbox row as dead.
            try await Self.eventually("the outbox row is dead") { try await !h.store.outboxEntries(status: .dead, limit: 10).isEmpty }
            let dead = try await h.store.outboxEntries(status: .dead, limit: 10)
            #expect(dead.count == 1 && dead.first?.paymentRequestId == refused.id)
            #expect(dead.first?.lastError?.contains("20004") == true)

            // Ops see it on the outbox page and replay it once the certificate is registered.
            let listed = try await client.execute(uri: "/v1/outbox?status=dead", method: .get, headers: .key(h.keys[Parties.ops]))
            #expect(listed.text.contains("\"paymentRequestId\":\(refused.id)"), "\(listed.text)")
            let ops = try await OpsSignIn.signIn(client, key: try #require(h.keys[Parties.ops]))
            let page = try await client.execute(uri: "/ops/outbox?status=dead", method: .get, headers: ops.cookie)
            #expect(page.text.contains("customs-realtime") && page.text.contains("20004"), "\(page.text)")
            #expect(page.text.contains("payment data for customs, request \(refused.id)"), "\(page.text)")
            rig.simulator.paymentData?.register(rig.serviceCertificate)
            let id = try #require(dead.first?.id)
            let replayed = try await client.execute(uri: "/v1/outbox/\(id)/replay", method: .post, headers: .key(h.keys[Parties.ops]))
            #expect(replayed.status == .ok, "\(replayed.text)")
            try await Self.eventually("the replay is taken") { try await rig.requests().first?.state == .answered }
            #expect(try await rig.requests().first?.customsCode == "10000")
            #expect(rig.simulator.paymentData?.uploads.map(\.verdict) == [.certificateNotRegistered, .accepted])
        }
        await rig.stop()
    }

    @Test("only a customs authority account may ask: others get 403")
    func onlyCustomsMayAsk() async throws {
        let h = try await Harness.make()
        try await h.application().test(.router) { client in
            let body = #"{"orderNo":"PT202611250001","sessionID":"S-1","serviceTime":1764034512000}"#
            for party in [Parties.platform, Parties.payment, Parties.ops] {
                let r = try await client.execute(uri: "/v1/realtime/payment-requests", method: .post,
                                                 headers: .key(h.keys[party], [.contentType: "application/json"]), body: ByteBuffer(string: body))
                #expect(r.status == .forbidden, "\(party): \(r.text)")
            }
            let none = try await client.execute(uri: "/v1/realtime/payment-requests", method: .post, headers: [:], body: ByteBuffer(string: body))
            #expect(none.status == .unauthorized)
            let ok = try await client.execute(uri: "/v1/realtime/payment-requests", method: .post,
                                              headers: .key(h.keys[Parties.customs], [.contentType: "application/json"]), body: ByteBuffer(string: body))
            #expect(ok.status == .accepted, "\(ok.text)")
            let json = try ok.json()
            #expect(json["code"] as? String == "10000")
            let request = try #require(json["request"] as? [String: Any])
            #expect(request["state"] as? String == "not-sent")
            #expect((request["reason"] as? String)?.hasPrefix("RTD009") == true, "the harness table names no realtimeData destination: \(request)")
            #expect(request["serviceTime"] as? String == "1764034512000")
            let bad = try await client.execute(uri: "/v1/realtime/payment-requests", method: .post,
                                               headers: .key(h.keys[Parties.customs], [.contentType: "application/json"]), body: ByteBuffer(string: #"{"orderNo":""}"#))
            #expect(bad.status == .badRequest)
        }
        await h.close()
    }
}
