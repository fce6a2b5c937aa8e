import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import CustomsSimulator
import Foundation
import Testing
import XMLSignature

/// End to end: order, payment, waybill and inventory in random order → flow → delivery worker →
/// customs simulator (HTTP on 127.0.0.1) → signed receipts in a spool inbox → receipt processor →
/// the shipment reaches "released" (then "cleared") with its full timeline in the trace.
@Suite(.serialized) struct EndToEndTests {
    static let customs: (DocumentSigner, TrustStore) = {
        let caKey = try! PrivateKey.generate(kind: .ecP256)
        let ca = try! CertificateAuthority.selfSigned(commonName: "Simulated China E-Port CA", key: caKey)
        let key = try! PrivateKey.generate(kind: .ecP256)
        let cert = try! ca.issue(commonName: "Simulated customs", publicKey: key.publicKey)
        return (try! DocumentSigner(key: key, certificate: cert), try! TrustStore(anchors: [ca.certificate]))
    }()

    struct Run {
        var timeline: ShipmentTimeline
        var order: [String]
        var receiptsMatched: Int
        var verdicts: Set<String>
        /// The CEB816 tax bills customs issued, as received.
        var taxBills: [[UInt8]]
    }

    func run(_ engine: TestEngine, seed: UInt64, inspectionRate: Double = 0, rejectionRate: Double = 0, until final: Set<String> = ["899"]) async throws -> Run {
        let store = try await makeFlowStore(engine)
        let inbox = scratchDirectory("receipts")
        let (signer, trust) = Self.customs
        let simulator = try CustomsSimulator(config: SimulatorConfig(
            seed: seed, rejectionRate: rejectionRate, inspectionRate: inspectionRate, stepDelaySeconds: 0.01,
            receiptsSpool: inbox, signer: signer))
        let server = SimulatorServer(simulator: simulator)
        let port = try await server.start()
        let table = FlowFixtures.tableToHTTP("http://127.0.0.1:\(port)/ceb")
        let flow = ClearanceFlow(store: store, routing: { table })
        let worker = FlowFixtures.fastWorker(store: store, table: table)
        let receipts = FlowFixtures.signedReceipts(store: store, trust: trust)

        let shipment = SampleShipment.make(Int(seed) + 5000)
        var generator = SeededGenerator(seed: seed)
        let parts = shipment.all.shuffled(using: &generator)
        for part in parts {
            let outcome = try await flow.accept(part.bytes)
            if case .refused = outcome.status { Issue.record("\(part.name) refused: \(outcome.issues)") }
        }
        var matched = 0
        var verdicts: Set<String> = []
        var taxBills: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(300)
        var status = ""
        var rounds = 0
        while Date() < deadline, rounds < 2_000, !final.contains(status) {
            rounds += 1
            _ = try await worker.runOnce()
            let spool = SpoolInbox(directory: inbox)
            for file in spool.pending() {
                let bytes = Array(FileManager.default.contents(atPath: file) ?? Data())
                if String(decoding: bytes.prefix(400), as: UTF8.self).contains("CEB816Message") { taxBills.append(bytes) }
                let result = try await receipts.process(bytes)
                matched += result.receipts.filter(\.matched).count
                verdicts.insert(result.signatureVerdict.rawValue)
                spool.finish(file, failed: false)
            }
            let timeline = try await store.trace(.orderNo(shipment.orderNo))
            status = timeline?.declarations.first { $0.kind == .inventory }?.status ?? ""
            if !final.contains(status) { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        _ = await simulator.waitUntilIdle(timeout: 5)
        await server.stop()
        await simulator.shutdown()
        await worker.shutdown()
        let timeline = try #require(try await store.trace(.orderNo(shipment.orderNo)))
        await store.close()
        return Run(timeline: timeline, order: parts.map(\.name), receiptsMatched: matched, verdicts: verdicts, taxBills: taxBills)
    }

    @Test(arguments: TestEngine.allCases, [UInt64(1), 2, 3])
    func shipmentInRandomOrderReachesReleasedWithFullTimeline(_ engine: TestEngine, seed: UInt64) async throws {
        let run = try await run(engine, seed: seed)
        let t = run.timeline
        let inventory = try #require(t.declarations.first { $0.kind == .inventory })
        #expect(inventory.status == "899")
        #expect(ShipmentStatus.of(t) == "cleared")
        #expect(Set(t.declarations.map(\.kind)) == [.order, .payment, .logistics, .inventory])
        for d in t.declarations where d.kind != .inventory { #expect(d.status == "120", "\(d.kind) accepted") }
        let inventoryReceipts = t.receipts.filter { $0.forKind == .inventory }.sorted { $0.returnTime < $1.returnTime }.map(\.returnStatus)
        #expect(inventoryReceipts == ["2", "120", "800", "899"], "declared → accepted → released → cleared")
        #expect(run.verdicts == ["valid"], "receipts are signed by customs and verified")
        #expect(run.receiptsMatched == 11, "ten receipts and the tax bill")
        let kinds = t.events.map(\.kind.rawValue)
        #expect(kinds.filter { $0 == "received" }.count >= 4)
        #expect(kinds.filter { $0 == "routed" }.count == 4)
        #expect(kinds.filter { $0 == "delivered" }.count == 4)
        #expect(kinds.contains("documents-matched"))
        #expect(kinds.contains("released"))
        #expect(kinds.filter { $0 == "receipt" }.count == 11)
        if run.order.last != "inventory" {
            #expect(kinds.contains("awaiting-documents"), "the inventory waited for \(run.order)")
        }
        #expect(t.deliveries.allSatisfy { $0.status == .delivered })
        // After the release customs issues the tax bill, computed from the inventory: it agrees with the tax the order declared.
        let bill = try #require(t.events.first { $0.kind == .taxBill }, "a CEB816 after the release")
        #expect(bill.code == nil, "no TAX001: \(bill.detail ?? "")")
        let declared = try #require(t.declarations.first { $0.kind == .order }?.taxTotal)
        #expect(bill.detail?.contains("= \(declared.money); declared \(declared.money)") == true, "\(bill.detail ?? "")")
        #expect(run.taxBills.count == 1)
        for bytes in run.taxBills {
            // The official schema has no place for the signature customs' channel adds: checked without it.
            let unsigned = String(decoding: bytes, as: UTF8.self)
                .replacingOccurrences(of: #"<ds:Signature[\s\S]*</ds:Signature>"#, with: "", options: .regularExpression)
            #expect(unsigned.count < bytes.count, "the bill came signed")
            let path = scratchDirectory("ceb816") + "/bill.xml"
            try Data(unsigned.utf8).write(to: URL(fileURLWithPath: path))
            let check = try await CommandRunner.run("/usr/bin/env", [
                "xmllint", "--noout", "--schema", Repository.root.appendingPathComponent("schemas/official/202205/import.xsd").path, path])
            #expect(check.status == 0, "the simulator's CEB816 fails the official import.xsd: \(check.output)")
        }
    }

    @Test func inspectionShowsUpBetweenAcceptanceAndRelease() async throws {
        let run = try await run(.sqlite, seed: 11, inspectionRate: 1)
        let statuses = run.timeline.receipts.filter { $0.forKind == .inventory }.sorted { $0.returnTime < $1.returnTime }.map(\.returnStatus)
        #expect(statuses == ["2", "120", "500", "800", "899"])
    }

    @Test func rejectionEndsInReturnedWithReason() async throws {
        let run = try await run(.sqlite, seed: 12, rejectionRate: 1, until: ["100"])
        let inventory = try #require(run.timeline.declarations.first { $0.kind == .inventory })
        #expect(inventory.status == "100")
        #expect(ShipmentStatus.of(run.timeline) == "returned")
        #expect(run.timeline.receipts.contains { $0.returnStatus == "100" && ($0.returnInfo ?? "").contains("退单") })
    }

    @Test func unmatchedReceiptIsKeptAndFlagged() async throws {
        let store = try await makeFlowStore(.sqlite)
        let receipt = String(decoding: try Repository.sample("CEB622-inventory-return.xml"), as: UTF8.self)
            .replacingOccurrences(of: "PTQD202611250001", with: "PTQD-NOBODY")
            .replacingOccurrences(of: "35162026I000012345", with: "35162026I999999999")
        let result = try await ReceiptProcessor(store: store).process(Array(receipt.utf8))
        #expect(result.receipts.map(\.matched) == [false])
        let timeline = try #require(try await store.trace(.guid(result.guid)))
        #expect(timeline.events.contains { $0.kind.rawValue == "unmatched-receipt" && $0.code == "800" })
        #expect(timeline.receipts.count == 1, "kept, never dropped")
        // Processing it again changes nothing.
        let again = try await ReceiptProcessor(store: store).process(Array(receipt.utf8))
        #expect(again.receipts.map(\.inserted) == [false])
        await store.close()
    }
}
