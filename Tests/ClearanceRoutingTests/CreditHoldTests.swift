import CEBModel
import ClearanceIngest
@testable import ClearanceRouting
import ClearanceRules
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// The credit list end to end on both stores: a dishonest party holds a declaration for review
/// (single messages, inventories released by their last document, batches), ops release it and
/// it is routed as the flow would have (including `partyGrade` rules) or refuse it, each audited;
/// a re-import applies to the next message without a restart; validity dates; unknown parties.
@Suite struct CreditHoldTests {
    static let ebc = "91350100MA2YH3LK7J"      // the samples' e-commerce enterprise
    static let agent = "3516980E2K"            // the samples' declaring agent (inventory only)
    static let source = "海关总署公告2026年第7号"

    /// Everything to customs; a dishonest party also to inspection.
    let table: RoutingTable = {
        var table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")
        table.destinations["inspection"] = DestinationConfig(
            name: "inspection", transport: .http(.init(url: "http://127.0.0.1:9/insp", timeoutSeconds: 2, concurrency: 1)),
            profile: .standard, envelope: .none, maxAttempts: 5, maxAgeSeconds: 3600)
        var dishonest = RoutingRule.Match()
        dishonest.partyGrades = [.dishonest]
        table.rules.insert(RoutingRule(name: "dishonest-to-inspection", match: dishonest, destinations: ["inspection"]), at: 0)
        return table
    }()

    func importList(_ store: any ClearanceFlowStore, _ lines: [String], actor: String = "test-ops") async throws {
        let bytes = Array((["code,grade,source,validFrom,validTo"] + lines).joined(separator: "\n").utf8)
        let entries = try CreditListParser.parse(bytes)
        try await store.replaceCreditList(entries, record: CreditImport(
            actor: actor, fileName: "list.csv", fileSHA256: SHA256Digest.hex(of: bytes), entries: entries.count, grades: [:]))
    }

    func status(_ store: any ClearanceFlowStore, _ guid: String) async throws -> [String] {
        let timeline = try #require(try await store.trace(.guid(guid)))
        return timeline.declarations.filter { $0.messageGuid == guid }.map(\.status)
    }

    @Test(arguments: TestEngine.allCases)
    func dishonestPartyIsHeldThenReleasedByOpsAndRouted(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            try await importList(store, ["\(Self.ebc),失信,\(Self.source),2020-01-01,"])
            let s = SampleShipment.make(7101)
            let order = try await flow.accept(s.order)
            #expect(order.status == .held)
            #expect(order.issues.map(\.code) == ["CRD001"])
            let reason = try #require(order.issues.first)
            #expect(reason.field == "party.e-commerce enterprise")
            #expect(reason.message.contains(Self.ebc) && reason.message.contains(Self.source))
            #expect(try await status(store, order.guid) == ["held for review"])
            let timeline = try #require(try await store.trace(.guid(order.guid)))
            #expect(timeline.deliveries.isEmpty, "nothing is sent while held")
            #expect(timeline.events.contains { $0.kind == .creditHold && $0.code == "CRD001" })
            let held = try await store.heldMessages(limit: 10)
            #expect(held.map(\.guid) == [order.guid])
            #expect(held.first?.reasons.first?.hasPrefix("CRD001 the e-commerce enterprise \(Self.ebc)") == true)

            // The waybill names only the logistics company: it is not held.
            #expect(try await flow.accept(s.waybill).status == .routed(["customs"]))

            let review = HoldReview(store: store, routing: { table })
            let released = try await review.release(messageGuid: order.guid, by: "OPS-DESK")
            #expect(released.status == .routed(["inspection", "customs"]), "released as the flow routes: the grade rule too")
            #expect(try await status(store, order.guid) == ["declared"])
            let after = try #require(try await store.trace(.guid(order.guid)))
            #expect(Set(after.deliveries.filter { $0.messageGuid == order.guid }.map(\.destination)) == ["inspection", "customs"])
            #expect(after.events.contains { $0.kind == .creditReleased })
            #expect(try await store.heldMessages(limit: 10).isEmpty)
            // Decided once: a second release (or a refusal) finds nothing held.
            await #expect(throws: HoldReviewError.self) { try await review.release(messageGuid: order.guid, by: "OPS-DESK") }
            await #expect(throws: HoldReviewError.self) { try await review.refuse(messageGuid: order.guid, by: "OPS-DESK") }
            await #expect(throws: HoldReviewError.self) { try await review.release(messageGuid: "no-such-guid", by: "OPS-DESK") }
            let audit = try await #require(store as? any AccessStore).auditEntries(limit: 10)
            #expect(audit.contains { $0.action == "hold.release" && $0.target == order.guid && $0.actor == "OPS-DESK" })
            #expect(audit.contains { $0.action == "credit.import" && $0.actor == "test-ops" })
        }
    }

    @Test(arguments: TestEngine.allCases)
    func opsRefuseAHeldDeclaration(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            try await importList(store, ["\(Self.ebc),dishonest,\(Self.source),,"])
            let order = try await flow.accept(SampleShipment.make(7102).order)
            #expect(order.status == .held)
            let refused = try await HoldReview(store: store, routing: { table }).refuse(messageGuid: order.guid, by: "OPS-DESK", reason: "confirmed")
            #expect(refused.status == .refused)
            #expect(try await status(store, order.guid) == ["refused"])
            let timeline = try #require(try await store.trace(.guid(order.guid)))
            #expect(timeline.events.contains { $0.kind == .rejected && $0.code == "CRD002" })
            #expect(timeline.deliveries.isEmpty)
            let audit = try await #require(store as? any AccessStore).auditEntries(limit: 10)
            #expect(audit.contains { $0.action == "hold.refuse" && $0.target == order.guid && $0.detail == "confirmed" })
        }
    }

    @Test(arguments: TestEngine.allCases)
    func reimportTakesEffectWithoutRestartAndUnknownPartiesAreCounted(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            // No list yet: every party is unknown and passes.
            let first = try await flow.accept(SampleShipment.make(7103).order)
            #expect(first.status == .routed(["customs"]))
            #expect(try await store.stats().unknownCreditParties == 3, "platform, e-commerce enterprise, payment of the order")

            try await importList(store, ["\(Self.ebc),dishonest,\(Self.source),,", "91350128MA8T4K2Q5P,advanced-certified,AEO,,"])
            #expect(try await flow.accept(SampleShipment.make(7104).order).status == .held)
            #expect(try await store.stats().unknownCreditParties == 1, "the payment company only")
            #expect(try await store.stats().creditListEntries == 2)

            // Replaced whole: the enterprise is no longer dishonest, the platform no longer listed.
            try await importList(store, ["\(Self.ebc),general-credit,\(Self.source),,"])
            #expect(try await flow.accept(SampleShipment.make(7105).order).status == .routed(["customs"]))
            #expect(try await store.creditList(limit: 10).map(\.code) == [Self.ebc])
            #expect(try await store.creditImports(limit: 10).count == 2)
            #expect(try await store.stats().unknownCreditParties == 2)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func anEntryOutsideItsValidityDoesNotApply(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            try await importList(store, ["\(Self.ebc),dishonest,\(Self.source),2020-01-01,2020-12-31"])
            #expect(try await flow.accept(SampleShipment.make(7106).order).status == .routed(["customs"]))
            try await importList(store, ["\(Self.ebc),dishonest,\(Self.source),2999-01-01,"])
            #expect(try await flow.accept(SampleShipment.make(7107).order).status == .routed(["customs"]))
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aWaitingInventoryWithADishonestAgentIsHeldWhenItsDocumentsComplete(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            try await importList(store, ["\(Self.agent),dishonest,\(Self.source),,"])
            let s = SampleShipment.make(7108)
            let inventory = try await flow.accept(s.inventory)
            #expect(inventory.status == .awaiting(["order (CEB311)", "payment (CEB411)", "waybill (CEB511)"]))
            for part in [s.order, s.payment] { #expect(try await flow.accept(part).status == .routed(["customs"])) }
            let waybill = try await flow.accept(s.waybill)
            #expect(waybill.released.isEmpty, "completed, but held: not released to customs")
            #expect(try await status(store, inventory.guid) == ["held for review"])
            let released = try await HoldReview(store: store, routing: { table }).release(messageGuid: inventory.guid, by: "OPS-DESK")
            #expect(released.status == .routed(["inspection", "customs"]))
            #expect(try await status(store, inventory.guid) == ["declared"])
        }
    }

    /// A batch held in part (one inventory held when its documents completed, after the others
    /// went): ops' release sends only that inventory, as a further part; before, the whole batch was
    /// routed again, so the documents already sent went twice.
    @Test(arguments: TestEngine.allCases)
    func releasingAPartlyHeldBatchSendsOnlyTheHeldDocuments(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let (shipments, guid) = try await FlowFixtures.batchWaitingForOnePayment(store, table: table, first: 7540)
            let late = shipments[2]
            try await importList(store, ["\(Self.agent),dishonest,\(Self.source),,"])
            #expect(try await flow.accept(late.payment).released.isEmpty, "completed, but held")
            #expect(try await store.declarationGuids(messageGuid: guid, status: .held).count == 1)

            let released = try await HoldReview(store: store, routing: { table }).release(messageGuid: guid, by: "OPS-DESK")
            #expect(released.status == .routed(["inspection", "customs"]))
            let rows = try #require(try await store.trace(.guid(guid))).deliveries.filter { $0.messageGuid == guid }.sorted { $0.id < $1.id }
            let pieces = try #require(try await store.messageHeader(guid: guid)).pieces
            var sent: [String] = []
            for row in rows {
                let part = try #require(row.part, "every row of a batch sent in part is a part")
                let text = String(decoding: try await MessagePartAssembler(store: store).assemble(messageGuid: guid, part: part, pieces: pieces).bytes,
                                  as: UTF8.self)
                sent.append(row.destination + ":" + shipments.map(\.copNo).filter { text.contains("<ceb:copNo>\($0)</ceb:copNo>") }.joined(separator: ","))
            }
            #expect(sent.sorted() == ["customs:\(shipments[0].copNo),\(shipments[1].copNo)", "customs:\(late.copNo)", "inspection:\(late.copNo)"])
            #expect(try await store.declarationGuids(messageGuid: guid, status: .declared).count == 3)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aHeldOrderDoesNotCompleteAnInventoryUntilOpsReleaseIt(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let review = HoldReview(store: store, routing: { table })
            // The payment company is dishonest: order and payment (which name it) are held, the
            // waybill and the inventory (which do not) are not.
            try await importList(store, ["91350102MA31C9UE4Q,dishonest,\(Self.source),,"])
            let s = SampleShipment.make(7110)
            let order = try await flow.accept(s.order)
            let payment = try await flow.accept(s.payment)
            #expect(order.status == .held && payment.status == .held)
            #expect(order.issues.first?.field == "party.payment")
            #expect(try await flow.accept(s.waybill).status == .routed(["customs"]))
            let inventory = try await flow.accept(s.inventory)
            #expect(inventory.status == .awaiting(["order (CEB311)", "payment (CEB411)"]), "held documents do not count for the match")
            #expect(try await review.release(messageGuid: order.guid, by: "OPS-DESK").released.isEmpty, "the payment is still held")
            #expect(try await status(store, inventory.guid) == ["awaiting documents"])
            let last = try await review.release(messageGuid: payment.guid, by: "OPS-DESK")
            #expect(last.released == [inventory.guid], "releasing the last held document completes the inventory")
            #expect(try await status(store, inventory.guid) == ["declared"])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aBatchNamingADishonestPartyIsHeldWhole(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            try await importList(store, ["\(Self.ebc),dishonest,\(Self.source),,"])
            let path = scratchDirectory("credit-batch") + "/batch.xml"
            try Data(SampleShipment.make(7109).order).write(to: URL(fileURLWithPath: path))
            let summary = try await BatchIngestor.ingest(path: path, store: store)
            let guid = try #require(summary.messageGuid)
            let forwarder = BatchForwarder(store: store, routing: { table })
            let outcome = try await forwarder.forward(messageGuid: guid)
            #expect(outcome.status == .held)
            #expect(outcome.issues.map(\.code) == ["CRD001"])
            #expect(try await status(store, guid) == ["held for review"])
            let released = try await HoldReview(store: store, routing: { table }).release(messageGuid: guid, by: "OPS-DESK")
            #expect(released.status == .routed(["inspection", "customs"]))
            #expect(try await status(store, guid) == ["declared"])
        }
    }
}
