import ClearanceRouting
import ClearanceServer
import ClearanceStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Webhooks")
struct WebhookTests {
    @Test("a receipt for a merchant's declaration is queued to its webhook and delivered by the outbox worker")
    func receiptPushed() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        // The merchant's endpoint: fails once (the outbox retries), then takes the receipts.
        let received = Mutex<[String]>([])
        let calls = Mutex(0)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let n = calls.withLock { $0 += 1; return $0 }
            if n == 1 { return Response(status: .serviceUnavailable) }
            received.withLock { $0.append(String(buffer: body)) }
            return Response(status: .ok)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                   onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await receiver.run() }
        defer { task.cancel() }
        var port = 0
        for await p in ports { port = p; break }

        var merchant = try #require(try await h.store.enterprise(code: Parties.merchant))
        merchant.webhookURL = "http://127.0.0.1:\(port)/hook"
        try await h.store.upsertEnterprise(merchant)
        let receiptGuid = try await h.application().test(.router) { client -> String in
            try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                     body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
            let r = try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.customs]),
                                             body: ByteBuffer(bytes: try sample("CEB312-order-return.xml")))
            #expect(r.status == .accepted)
            let verdict = try r.json()
            #expect(verdict["destinations"] as? [String] == [Webhooks.destinationName(Parties.merchant)])
            return verdict["guid"] as? String ?? ""
        }
        let webhooks = Webhooks.destinations(for: try await h.store.enterprises())
        let table = Webhooks.merge(h.table, webhooks)
        let destinations = try DestinationFactory.make(table)
        let worker = DeliveryWorker(
            store: h.store, table: { table }, destinations: destinations,
            preparer: OutboundPreparer(key: nil, certificate: nil, senderId: table.senderId),
            policy: DeliveryPolicy(baseDelaySeconds: 0.05, maxDelaySeconds: 0.1, jitter: 0, idlePollSeconds: 0.05))
        _ = try await worker.drain(timeout: 20)
        for destination in destinations.values { await destination.shutdown() }
        let bodies = received.withLock { $0 }
        #expect(bodies.count == 1)
        #expect(bodies.first?.contains(receiptGuid) == true)
        #expect(calls.withLock { $0 } == 2)
        let rows = try await h.store.outboxEntries(status: .delivered, limit: 10)
        #expect(rows.contains { $0.destination == Webhooks.destinationName(Parties.merchant) && $0.attempts == 2 })
    }
}
