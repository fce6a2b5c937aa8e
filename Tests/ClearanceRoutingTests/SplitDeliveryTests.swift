import CEBModel
import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// A batch with more documents than customs takes in one message (CEB621: 100) goes to customs as
/// parts: stored by the streaming ingest (in small pieces, so parts and documents straddle them),
/// forwarded, delivered by the real worker (sign → gate → dxp envelope → spool), and every file checked
/// by outside oracles (`xmllint` against the official `import.xsd`, the signature verifier). Runs on
/// SQLite and PostgreSQL.
@Suite(.serialized) struct SplitDeliveryTests {
    static let official = Repository.path("schemas/official/202205")

    /// An RSA service key (RSA PKCS#1 v1.5 signatures are deterministic: a part built again is byte-identical).
    static let service: (key: PrivateKey, certificate: Certificate, ca: Certificate) = {
        let caKey = try! PrivateKey.generate(kind: .ecP256)
        let ca = try! CertificateAuthority.selfSigned(commonName: "Split test CA", key: caKey)
        let key = try! PrivateKey.generate(kind: .rsa(bits: 2048))
        return (key, try! ca.issue(commonName: "Clearance split", publicKey: key.publicKey), ca.certificate)
    }()

    /// Customs as a spool in `directory`, for inventories only: the orders, payments and waybills the
    /// inventories are matched with stay unrouted (they still count for the match), so the spool holds
    /// only what the batch became.
    static func table(_ directory: String) -> RoutingTable {
        let customs = DestinationConfig(
            name: "customs", transport: .spool(.init(outbox: directory)), profile: .standard, envelope: .dxp,
            receiverId: "DXPEDCCEB0000001", authority: .customs, maxAttempts: 3, maxAgeSeconds: 3600)
        var match = RoutingRule.Match()
        match.messageTypes = ["CEB621"]
        return RoutingTable(senderId: "DXPENT0000000001", destinations: ["customs": customs],
                            rules: [RoutingRule(name: "to-customs", match: match, destinations: ["customs"], isFinal: true)])
    }

    static func worker(_ store: any ClearanceFlowStore, _ table: RoutingTable, signed: Bool) -> DeliveryWorker {
        DeliveryWorker(
            store: store, table: { table },
            preparer: OutboundPreparer(key: signed ? service.key : nil, certificate: signed ? service.certificate : nil, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, leaseSeconds: 10, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, idlePollSeconds: 0.02))
    }

    /// `count` shipments whose order, payment and waybill are accepted (unrouted by `table`), and their
    /// inventories as one batch.
    static func matchedBatch(_ store: any ClearanceFlowStore, _ table: RoutingTable, count: Int, base: Int) async throws -> (text: String, shipments: [SampleShipment]) {
        let flow = ClearanceFlow(store: store, routing: { table })
        let shipments = (0..<count).map { SampleShipment.make(base + $0) }
        for s in shipments { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
        return (SampleShipment.inventoryBatch(shipments), shipments)
    }

    /// Stores `text` with the streaming ingest in 64 KiB pieces and forwards it to `table`.
    static func ingestAndForward(_ text: String, _ store: any ClearanceFlowStore, _ table: RoutingTable) async throws -> String {
        let path = scratchDirectory("split-batch") + "/batch.xml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try await BatchIngestor.ingest(path: path, store: store, options: IngestOptions(partSize: 64 << 10))
        let guid = try #require(summary.messageGuid)
        let outcome = try await BatchForwarder(store: store, routing: { table }).forward(messageGuid: guid)
        #expect(outcome.status == .routed(["customs"]), "\(outcome.summary) \(outcome.issues)")
        return guid
    }

    /// The CEB messages in the spool's `dxp:DxpMsg` files, by file name.
    static func sent(_ directory: String) throws -> [String: [UInt8]] {
        var messages: [String: [UInt8]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".xml") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
            messages[file] = try TransportEnvelope.unwrap(bytes).message
        }
        return messages
    }

    @Test(arguments: TestEngine.allCases)
    func aBatchOf250InventoriesReachesCustomsAsThreeValidSignedParts(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let out = scratchDirectory("split-out"), again = scratchDirectory("split-again")
        defer { for dir in [out, again] { try? FileManager.default.removeItem(atPath: dir) } }
        try await withCleanup({ await store.close() }) {
            let table = Self.table(out)
            let (text, shipments) = try await Self.matchedBatch(store, table, count: 250, base: 9_100)
            #expect(text.utf8.count > 4 * (64 << 10), "the batch spans several stored pieces")
            let guid = try await Self.ingestAndForward(text, store, table)

            let rows = try await store.outboxEntries(status: nil, limit: 100).filter { $0.messageGuid == guid && $0.destination == "customs" }
            #expect(rows.compactMap(\.part).map(\.number).sorted() == [1, 2, 3])
            #expect(rows.allSatisfy { $0.part?.count == 3 })

            let worker = Self.worker(store, table, signed: true)
            let round = try await worker.drain(maxRounds: 100, timeout: 300)
            await worker.shutdown()
            let dead = try await store.outboxEntries(status: .dead, limit: 10).map { $0.lastError ?? "" }
            #expect(round.delivered == 3 && round.dead == 0, "\(dead)")

            let messages = try Self.sent(out)
            #expect(messages.count == 3)
            let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(anchors: [Self.service.ca])))
            var parts: [(guid: String, inventories: [String])] = []
            for (file, message) in messages {
                let inner = out + "/inner-" + file + ".txt"
                try Data(message).write(to: URL(fileURLWithPath: inner))
                let xsd = try await CommandRunner.run("/usr/bin/env", ["xmllint", "--noout", "--schema", Self.official + "/import.xsd", inner])
                #expect(xsd.status == 0, "\(file) fails import.xsd: \(xsd.output)")
                #expect(try verifier.verify(bytes: message).signer == Self.service.certificate, "\(file)")
                let whole = try WholeMessage.decode(message)
                let partGuid = try #require(whole.guid)
                #expect(file == "CEB621_\(partGuid).xml")
                #expect(partGuid.count == 36 && partGuid == partGuid.uppercased() && partGuid != guid)
                #expect(whole.envelope?.baseTransfer?.copCode != nil, "\(file): every part keeps the BaseTransfer")
                parts.append((partGuid, whole.documents.compactMap {
                    if case .inventory(let inventory) = $0 { return inventory.head.guid } else { return nil }
                }))
            }
            #expect(Set(parts.map(\.guid)).count == 3, "each part has its own guid")
            let expected = try shipments.map { s in
                try #require(try WholeMessage.decode(s.inventory).documents.compactMap { document -> String? in
                    if case .inventory(let inventory) = document { return inventory.head.guid } else { return nil }
                }.first)
            }
            parts.sort { (expected.firstIndex(of: $0.inventories.first ?? "") ?? .max) < (expected.firstIndex(of: $1.inventories.first ?? "") ?? .max) }
            #expect(parts.map(\.inventories.count) == [100, 100, 50])
            #expect(parts.flatMap(\.inventories) == expected, "all 250 inventories, each once, in the batch's order")

            // Delivered again (replayed to another spool), the parts are the same messages, byte for byte.
            for row in try await store.outboxEntries(status: .delivered, limit: 100) where row.messageGuid == guid {
                try await store.replayOutbox(id: row.id, now: Date())
            }
            let second = Self.worker(store, Self.table(again), signed: true)
            let replayed = try await second.drain(maxRounds: 100, timeout: 300)
            await second.shutdown()
            #expect(replayed.delivered == 3)
            #expect(try Self.sent(again) == messages)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aSenderSignedBatchWithoutAServiceKeyIsDeadLetteredThenGoesSignedByClearance(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let out = scratchDirectory("split-signed")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await withCleanup({ await store.close() }) {
            let table = Self.table(out)
            let (text, _) = try await Self.matchedBatch(store, table, count: 120, base: 9_400)
            let merchantKey = try PrivateKey.generate(kind: .ecP256)
            let merchantCA = try CertificateAuthority.selfSigned(commonName: "Merchant CA", key: merchantKey)
            let signed = try DocumentSigner(key: merchantKey, certificate: merchantCA.certificate).sign(bytes: Array(text.utf8))
            let guid = try await Self.ingestAndForward(String(decoding: signed, as: UTF8.self), store, table)

            let unsigned = Self.worker(store, table, signed: false)
            let round = try await unsigned.drain(maxRounds: 100, timeout: 300)
            await unsigned.shutdown()
            #expect(round.delivered == 0)
            #expect(round.dead == 2)
            let dead = try await store.outboxEntries(status: .dead, limit: 10).filter { $0.messageGuid == guid }
            #expect(dead.count == 2)
            for row in dead {
                let error = row.lastError ?? ""
                #expect(error.hasPrefix("OUT005"), "\(error)")
                #expect(error.contains("sender's signature covers the whole message") && error.contains("no key"), "\(error)")
            }
            #expect(try Self.sent(out).isEmpty, "nothing reached customs")

            // With the service key configured, a replay sends both parts, signed by Clearance.
            for row in dead { try await store.replayOutbox(id: row.id, now: Date()) }
            let keyed = Self.worker(store, table, signed: true)
            let second = try await keyed.drain(maxRounds: 100, timeout: 300)
            await keyed.shutdown()
            #expect(second.delivered == 2)
            let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(anchors: [Self.service.ca])))
            let messages = try Self.sent(out)
            #expect(messages.count == 2)
            for message in messages.values {
                #expect(try verifier.verify(bytes: message).signer == Self.service.certificate)
                #expect(String(decoding: message, as: UTF8.self).components(separatedBy: "</ds:Signature>").count == 2, "one signature: Clearance's")
            }
        }
    }

    /// An inventory of 120 lines (customs: at most 99) is not split: it stays `OUT003`.
    @Test(arguments: TestEngine.allCases)
    func anInventoryOf120LinesStaysOUT003(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let out = scratchDirectory("split-lines")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await withCleanup({ await store.close() }) {
            var text = String(decoding: SampleShipment.make(9_700).inventory, as: UTF8.self)
            let first = try #require(text.range(of: "<ceb:InventoryList>"))
            let last = try #require(text.range(of: "</ceb:InventoryList>", options: .backwards))
            let firstEnd = try #require(text.range(of: "</ceb:InventoryList>"))
            let line = String(text[first.lowerBound..<firstEnd.upperBound])
            let lines = (1...120).map { gnum in
                line.replacingOccurrences(of: #"<ceb:gnum>\d+</ceb:gnum>"#, with: "<ceb:gnum>\(gnum)</ceb:gnum>", options: .regularExpression)
            }.joined(separator: "\n")
            text.replaceSubrange(first.lowerBound..<last.upperBound, with: lines)
            let guid = SampleShipment.envelopeGuid(Array(text.utf8))
            let record = MessageRecord(guid: guid, messageType: "CEB621", senderCode: "3516W6000A", direction: .inbound,
                                       receivedAt: Date(), rawBytes: Array(text.utf8), signatureVerdict: SignatureVerdict.unchecked.rawValue)
            _ = try await store.ingestRouted(FlowWrite(item: IngestItem(message: record, declarations: []),
                                                        routes: [OutboxRoute(destination: "customs")]))
            let worker = Self.worker(store, Self.table(out), signed: true)
            let round = try await worker.drain(maxRounds: 50, timeout: 300)
            await worker.shutdown()
            #expect(round.delivered == 0 && round.dead == 1)
            let error = try #require(try await store.outboxEntries(status: .dead, limit: 1).first?.lastError)
            #expect(error.hasPrefix("OUT003"), "\(error)")
            #expect(error.contains("120 lines") && error.contains("at most 99") && error.contains("does not split documents"), "\(error)")
            #expect(try Self.sent(out).isEmpty)
        }
    }
}
