import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import ClearanceTestSupport
import CustomsSimulator
import Foundation
import Testing
import XMLSignature

/// End to end with the inspection and payment/FX destinations: an inventory carrying an InspOrder
/// and its payment are routed (HTTP) to customs, inspection and the payment/FX regulator; the
/// simulator answers as each; the signed answers come back through the receipt processor and the
/// shipment's timeline shows them all while customs' status runs to cleared.
@Suite(.serialized) struct AuthorityEndToEndTests {
    /// The `ExtendMessage` block (an InspOrder in no namespace) of the inspection sample.
    static let extendMessage: String = {
        let text = (try? Repository.sampleText("unsigned/CEB621-inventory-with-inspection.xml")) ?? ""
        guard let start = text.range(of: "  <ceb:ExtendMessage>"), let end = text.range(of: "</ceb:ExtendMessage>\n") else { return "" }
        return String(text[start.lowerBound..<end.upperBound])
    }()

    static func table(_ base: String) -> RoutingTable {
        func http(_ name: String, _ path: String, envelope: DestinationConfig.Envelope) -> DestinationConfig {
            DestinationConfig(
                name: name, transport: .http(.init(url: base + path, timeoutSeconds: 2, concurrency: 2)), profile: .standard,
                envelope: envelope, receiverId: "DXPEDCCEB0000001", maxAttempts: 50, maxAgeSeconds: 3600)
        }
        var inspection = RoutingRule.Match()
        inspection.inspection = true
        var payments = RoutingRule.Match()
        payments.messageTypes = ["CEB411"]
        var all = RoutingRule.Match()
        all.messageTypes = ["CEB311", "CEB411", "CEB511", "CEB621"]
        return RoutingTable(
            senderId: "DXPENT0000000001",
            destinations: ["customs": http("customs", "/ceb", envelope: .dxp), "inspection": http("inspection", "/inspection", envelope: .dxp),
                           "payment-forex": http("payment-forex", "/payments", envelope: .none)],
            rules: [
                RoutingRule(name: "inspection", match: inspection, destinations: ["inspection"]),
                RoutingRule(name: "payments-to-forex", match: payments, destinations: ["payment-forex"]),
                RoutingRule(name: "customs", match: all, destinations: ["customs"], isFinal: true),
            ])
    }

    @Test func inspectionHoldAndPaymentRejectionComeBackBesideCustomsReceipts() async throws {
        #expect(!Self.extendMessage.isEmpty)
        let store = try await makeFlowStore(.sqlite)
        let inbox = scratchDirectory("authority-receipts")
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        let (signer, trust) = EndToEndTests.customs
        let simulator = try CustomsSimulator(config: SimulatorConfig(
            seed: 5, inspectionHoldRate: 1, paymentRejectionRate: 1, stepDelaySeconds: 0.01, receiptsSpool: inbox, signer: signer))
        let server = SimulatorServer(simulator: simulator)
        let port = try await server.start()
        let table = Self.table("http://127.0.0.1:\(port)")
        let flow = ClearanceFlow(store: store, routing: { table })
        let worker = FlowFixtures.fastWorker(store: store, table: table)
        let receipts = FlowFixtures.signedReceipts(store: store, trust: trust)

        let shipment = SampleShipment.make(8101) { text, kind in
            if kind == "inventory" { text = text.replacingOccurrences(of: "</ceb:CEB621Message>", with: Self.extendMessage + "</ceb:CEB621Message>") }
        }
        for part in shipment.all {
            let outcome = try await flow.accept(part.bytes)
            if case .refused = outcome.status { Issue.record("\(part.name) refused: \(outcome.issues)") }
        }
        var verdicts: Set<String> = []
        func done(_ t: ShipmentTimeline?) -> Bool {
            guard let t else { return false }
            return t.declarations.first { $0.kind == .inventory }?.status == "899"
                && t.receipts.contains { $0.forKind == .inspection && $0.returnStatus == "800" }
                && t.receipts.contains { $0.forKind == .paymentForex && $0.returnStatus == "100" }
        }
        let deadline = Date().addingTimeInterval(300)
        var timeline = try await store.trace(.orderNo(shipment.orderNo))
        while Date() < deadline, !done(timeline) {
            _ = try await worker.runOnce()
            let spool = SpoolInbox(directory: inbox)
            for file in spool.pending() {
                let result = try await receipts.process(Array(FileManager.default.contents(atPath: file) ?? Data()))
                verdicts.insert(result.signatureVerdict.rawValue)
                spool.finish(file, failed: false)
            }
            timeline = try await store.trace(.orderNo(shipment.orderNo))
            if !done(timeline) { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        _ = await simulator.waitUntilIdle(timeout: 5)
        await server.stop()
        await simulator.shutdown()
        await worker.shutdown()

        let t = try #require(timeline)
        #expect(done(t), "customs, inspection and payment answers all arrived")
        let guids = shipment.guids
        #expect(Set(simulator.receivedCounts(at: .inspection).keys) == [guids[3]], "only the inventory carries an InspOrder")
        #expect(Set(simulator.receivedCounts(at: .payment).keys) == [guids[1]], "the payment goes to the regulator too")
        #expect(Set(simulator.receivedCounts.keys) == Set(guids), "everything goes to customs")
        func statuses(_ kind: DeclarationKind) -> [String] {
            t.receipts.filter { $0.forKind == kind }.sorted { $0.returnTime < $1.returnTime }.map(\.returnStatus)
        }
        #expect(statuses(.inspection) == ["2", "120", "500", "800"])
        #expect(statuses(.paymentForex) == ["2", "100"])
        #expect(statuses(.inventory) == ["2", "120", "800", "899"])
        #expect(t.receipts.allSatisfy { $0.declarationId != nil }, "every answer matched")
        #expect(verdicts == ["valid"])
        let kinds = Set(t.events.map(\.kind.rawValue))
        #expect(kinds.isSuperset(of: ["inspection-hold", "inspection-released", "payment-rejected", "released"]))
        #expect(t.declarations.first { $0.kind == .inventory }?.status == "899")
        #expect(t.declarations.first { $0.kind == .payment }?.status == "120", "customs accepted the payment")
        #expect(ShipmentStatus.of(t) == "cleared")
        await store.close()
    }
}
