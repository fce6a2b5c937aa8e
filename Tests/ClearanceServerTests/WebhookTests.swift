import ClearanceRouting
import ClearanceTestSupport
import HTTPTypes
import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A webhook receiver on a free port: records each delivery (headers and body); answers 503 to
/// the first `failFirst` calls.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var signature: String?
        var event: String?
        var deliveryId: String?
        var body: [UInt8]
    }

    private let deliveries = Mutex<[Delivery]>([])
    private let calls = Mutex(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let boundPort = Mutex(0)

    var url: String { "http://127.0.0.1:\(boundPort.withLock { $0 })/hook" }
    var received: [Delivery] { deliveries.withLock { $0 } }
    var callCount: Int { calls.withLock { $0 } }

    static func start(failFirst: Int = 0) async throws -> WebhookReceiver {
        let receiver = WebhookReceiver()
        let router = Router()
        // A receiver that bounces deliveries elsewhere (on this same loopback receiver).
        router.post("/redirect") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/hook"])
        }
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let n = receiver.calls.withLock { $0 += 1; return $0 }
            if n <= failFirst { return Response(status: .serviceUnavailable) }
            let delivery = Delivery(
                signature: request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!],
                event: request.headers[HTTPField.Name(WebhookSignature.eventHeader)!],
                deliveryId: request.headers[HTTPField.Name(WebhookSignature.deliveryHeader)!],
                body: Array(body.readableBytesView))
            receiver.deliveries.withLock { $0.append(delivery) }
            return Response(status: .ok)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        receiver.task.withLock { $0 = Task { try await app.run() } }
        for await p in ports {
            receiver.boundPort.withLock { $0 = p }
            break
        }
        return receiver
    }

    func stop() { task.withLock { $0?.cancel() } }
}

@Suite("Webhooks")
struct WebhookTests {
    /// Posts the sample order (platform) and its customs receipt; returns the receipt's verdict.
    private func orderAndReceipt(_ h: Harness) async throws -> [String: Any] {
        try await h.application().test(.router) { client -> [String: Any] in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                     body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
            let r = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.customs]),
                                             body: ByteBuffer(bytes: try h.customsReceipt("CEB312-order-return.xml")))
            #expect(r.status == .accepted)
            return try r.json()
        }
    }

    private func worker(_ h: Harness) -> DeliveryWorker {
        DeliveryWorker(
            store: h.store, table: { h.table }, directory: WebhookDirectory(store: h.store, cacheSeconds: 0),
            preparer: OutboundPreparer(key: nil, certificate: nil, senderId: h.table.senderId),
            policy: DeliveryPolicy(baseDelaySeconds: 0.05, maxDelaySeconds: 0.1, jitter: 0, idlePollSeconds: 0.05))
    }

    @Test("a webhook registered while the worker runs receives the receipt, signed with its secret; retries keep the delivery id")
    func registeredWhileRunningAndSigned() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let receiver = try await WebhookReceiver.start(failFirst: 1)
            defer { receiver.stop() }
            // The worker starts before any webhook exists (as `clearance serve` would).
            let worker = worker(h)
            let running = Task { await worker.run() }
            try await Task.sleep(nanoseconds: 200_000_000)
            // The operator registers the webhook (what `clearance enterprise webhook CODE URL` calls).
            let registration = try await EnterpriseAdmin(store: h.store).registerWebhook(
                enterpriseCode: Parties.merchant, url: receiver.url, allowPrivate: true, actor: "test")
            let secret = try #require(registration.newSecret)
            #expect(secret.hasPrefix("whsec_") && secret.count == 70)
            #expect(try await h.store.enterprise(code: Parties.merchant)?.webhookSecret == secret)

            let verdict = try await orderAndReceipt(h)
            #expect(verdict["destinations"] as? [String] == [Webhooks.destinationName(Parties.merchant)])
            let receiptGuid = try #require(verdict["guid"] as? String)
            // Until the worker has also recorded the delivery (the receiver sees it a moment before).
            let deadline = Date().addingTimeInterval(300)
            while Date() < deadline {
                let delivered = try await h.store.outboxEntries(status: .delivered, limit: 10)
                if !receiver.received.isEmpty, delivered.contains(where: { $0.destination == Webhooks.destinationName(Parties.merchant) }) { break }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            running.cancel()
            _ = await running.value
            await worker.shutdown()

            let deliveries = receiver.received
            #expect(deliveries.count == 1)
            #expect(receiver.callCount == 2) // the first attempt got a 503 and was retried
            let delivery = try #require(deliveries.first)
            #expect(String(decoding: delivery.body, as: UTF8.self).contains(receiptGuid))
            #expect(delivery.event == "receipt")
            let rows = try await h.store.outboxEntries(status: .delivered, limit: 10)
            let row = try #require(rows.first { $0.destination == Webhooks.destinationName(Parties.merchant) })
            #expect(row.attempts == 2)
            #expect(delivery.deliveryId == String(row.id))

            // The receiver-side check: passes for the delivery as received…
            let header = try #require(delivery.signature)
            #expect(header.hasPrefix("t="))
            #expect(header.contains(",v1="))
            try WebhookSignature.verify(header: header, body: delivery.body, secret: secret)
            // …and fails for a tampered body, a wrong secret or a replay long after.
            var tampered = delivery.body
            tampered[tampered.count / 2] ^= 0x01
            #expect(throws: WebhookSignatureError.signatureMismatch) {
                try WebhookSignature.verify(header: header, body: tampered, secret: secret)
            }
            #expect(throws: WebhookSignatureError.signatureMismatch) {
                try WebhookSignature.verify(header: header, body: delivery.body, secret: WebhookSignature.generateSecret())
            }
            #expect(throws: WebhookSignatureError.self) {
                try WebhookSignature.verify(header: header, body: delivery.body, secret: secret, now: Date().addingTimeInterval(3600))
            }
        }
    }

    @Test("a webhook changed or removed while the worker runs: the new URL gets the receipt; after removal it is dead-lettered")
    func changedAndRemoved() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let first = try await WebhookReceiver.start()
            let second = try await WebhookReceiver.start()
            defer { first.stop(); second.stop() }
            let admin = EnterpriseAdmin(store: h.store)
            let original = try await admin.registerWebhook(enterpriseCode: Parties.merchant, url: first.url, allowPrivate: true, actor: "test")
            // Changing the URL keeps the secret; rotating makes a new one.
            let moved = try await admin.registerWebhook(enterpriseCode: Parties.merchant, url: second.url, allowPrivate: true, actor: "test")
            #expect(moved.newSecret == nil)
            let rotated = try await admin.registerWebhook(enterpriseCode: Parties.merchant, url: second.url, rotateSecret: true, allowPrivate: true, actor: "test")
            let secret = try #require(rotated.newSecret)
            #expect(secret != original.newSecret)

            let worker = worker(h)
            _ = try await orderAndReceipt(h)
            _ = try await worker.drain(timeout: 300)
            #expect(first.received.isEmpty)
            let delivery = try #require(second.received.first)
            try WebhookSignature.verify(header: delivery.signature, body: delivery.body, secret: secret)
            #expect(throws: WebhookSignatureError.signatureMismatch) {
                try WebhookSignature.verify(header: delivery.signature, body: delivery.body, secret: original.newSecret ?? "")
            }

            // Removed: a message still queued for it is dead-lettered, nothing is posted.
            let delivered = try #require(try await h.store.outboxEntries(status: .delivered, limit: 10).first?.messageGuid)
            let guid = try #require(try await h.store.recentMessages(limit: 10).first { $0.guid != delivered }?.guid)
            #expect(try await admin.removeWebhook(enterpriseCode: Parties.merchant, actor: "test"))
            _ = try await h.store.enqueueOutbox(messageGuid: guid, destination: Webhooks.destinationName(Parties.merchant), notBefore: Date())
            let round = try await worker.drain(timeout: 300)
            await worker.shutdown()
            #expect(round.dead == 1)
            #expect(second.received.count == 1)
            #expect(try await h.store.enterprise(code: Parties.merchant)?.webhookSecret == nil)
        }
    }

    @Test("webhook URLs naming loopback, link-local, private or unspecified addresses, localhost or another scheme are refused at registration unless allowed")
    func privateAddressesRefusedAtRegistration() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let admin = EnterpriseAdmin(store: h.store)
            let refused = [
                "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://172.16.5.4/", "http://172.31.255.1/",
                "http://192.168.1.1/hook", "http://127.0.0.1:9/", "http://[::1]/", "http://[fd12::1]/", "http://[fe80::1]/",
                "http://0.0.0.0/", "http://localhost:8080/", "http://api.localhost/", "http://2130706433/", "http://0x7f.1/",
                "http://[::ffff:10.0.0.1]/", "ftp://files.example/", "file:///etc/passwd", "gopher://10.0.0.1/",
            ]
            for url in refused {
                await #expect(throws: StoreError.self, "\(url)") {
                    _ = try await admin.registerWebhook(enterpriseCode: Parties.merchant, url: url, actor: "test")
                }
            }
            #expect(try await h.store.enterprise(code: Parties.merchant)?.webhookURL == nil)
            // Public addresses and names pass (nothing is sent at registration).
            for url in ["https://93.184.216.34/hook", "http://172.32.0.1/", "https://merchant.example/hook"] {
                _ = try await admin.registerWebhook(enterpriseCode: Parties.merchant, url: url, actor: "test")
            }
            #expect(try await h.store.enterprise(code: Parties.merchant)?.webhookAllowPrivate == false)
            // Ops may allow a private address explicitly; it is stored with the webhook.
            _ = try await admin.registerWebhook(enterpriseCode: Parties.merchant, url: "http://10.0.0.1/", allowPrivate: true, actor: "test")
            #expect(try await h.store.enterprise(code: Parties.merchant)?.webhookAllowPrivate == true)
            #expect(try await h.store.auditEntries(limit: 1).first?.detail == "http://10.0.0.1/ (private address allowed)")
        }
    }

    @Test("at delivery the host is resolved: a loopback webhook stored without the allowance is refused and nothing is posted")
    func privateAddressesRefusedAtDelivery() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let receiver = try await WebhookReceiver.start()
            defer { receiver.stop() }
            // A row that bypassed registration (e.g. written before the check existed), by name and by number.
            var record = try #require(try await h.store.enterprise(code: Parties.merchant))
            record.webhookURL = receiver.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            record.webhookSecret = WebhookSignature.generateSecret()
            try await h.store.upsertEnterprise(record)
            let worker = worker(h)
            _ = try await orderAndReceipt(h)
            let round = try await worker.drain(timeout: 300)
            await worker.shutdown()
            #expect(round.dead == 1)
            #expect(receiver.callCount == 0)
            let dead = try #require(try await h.store.outboxEntries(status: .dead, limit: 10).first)
            #expect(dead.lastError?.contains("resolved from localhost") == true, "\(dead.lastError ?? "")")
            #expect(dead.lastError?.contains("refused") == true)
        }
    }

    @Test("redirects are not followed: a receiver answering 302 gets its delivery dead-lettered with the reason, the target never sees it")
    func redirectNotFollowed() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            let receiver = try await WebhookReceiver.start()
            defer { receiver.stop() }
            _ = try await EnterpriseAdmin(store: h.store).registerWebhook(
                enterpriseCode: Parties.merchant, url: receiver.url.replacingOccurrences(of: "/hook", with: "/redirect"),
                allowPrivate: true, actor: "test")
            let worker = worker(h)
            _ = try await orderAndReceipt(h)
            let round = try await worker.drain(timeout: 300)
            await worker.shutdown()
            #expect(round.dead == 1)
            #expect(receiver.callCount == 0, "the redirect target was not called")
            let dead = try #require(try await h.store.outboxEntries(status: .dead, limit: 10).first)
            #expect(dead.lastError?.contains("HTTP 302 redirect to /hook not followed") == true, "\(dead.lastError ?? "")")
        }
    }
}
