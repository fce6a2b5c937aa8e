import ClearanceTestSupport
import ClearanceIngest
@testable import ClearanceRouting
@testable import ClearanceStore
import Foundation
import Testing

/// Batches stored by the streaming ingest, then forwarded through the flow document by document.
/// Runs on SQLite and PostgreSQL.
@Suite struct BatchForwarderTests {
    let table = FlowFixtures.tableToHTTP("http://127.0.0.1:9/ceb")

    /// One CEB621 message carrying the inventories of `shipments` (their documents, one envelope).
    func ingest(_ text: String, into store: any ClearanceFlowStore) async throws -> IngestSummary {
        let path = scratchDirectory("batch") + "/batch.xml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try await BatchIngestor.ingest(path: path, store: store)
    }

    /// The copNos in the parts queued for `guid`, per outbox row in queue order (each part assembled
    /// from the stored pieces exactly as the delivery worker builds it).
    func queuedCopNos(_ store: any ClearanceFlowStore, _ guid: String, _ shipments: [SampleShipment]) async throws -> [[String]] {
        let rows = try #require(try await store.trace(.guid(guid))).deliveries.filter { $0.messageGuid == guid }.sorted { $0.id < $1.id }
        let pieces = try #require(try await store.messageHeader(guid: guid)).pieces
        var result: [[String]] = []
        for row in rows {
            let part = try #require(row.part, "a batch of which only some documents go is re-packed in parts")
            let text = String(decoding: try await MessagePartAssembler(store: store).assemble(messageGuid: guid, part: part, pieces: pieces).bytes, as: UTF8.self)
            result.append(shipments.map(\.copNo).filter { text.contains("<ceb:copNo>\($0)</ceb:copNo>") })
        }
        return result
    }

    /// Good, waiting, refused and invalid documents in one batch: the good ones go at once, re-packed
    /// without the others; the waiting one goes when its documents arrive, as a further part; nothing
    /// is queued twice, and each document's declaration has its own status.
    @Test(arguments: TestEngine.allCases)
    func eachDocumentOfABatchHasItsOwnVerdict(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let forwarder = BatchForwarder(store: store, routing: { table })
            let shipments = [
                SampleShipment.make(7100), SampleShipment.make(7101), SampleShipment.make(7102),
                SampleShipment.make(7103) { text, kind in   // its payment disagrees with the order: refused
                    if kind == "payment" { text = text.replacingOccurrences(of: "<ceb:amountPaid>800.43</ceb:amountPaid>", with: "<ceb:amountPaid>799.43</ceb:amountPaid>") }
                },
                SampleShipment.make(7104),                 // its inventory is invalid (not stored)
            ]
            // All but the third shipment's documents arrive before the batch.
            for (i, s) in shipments.enumerated() where i != 2 { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
            var text = SampleShipment.inventoryBatch(shipments)
            let last = text.range(of: "<ceb:Inventory>", options: .backwards)!.lowerBound
            let weight = text.range(of: "<ceb:grossWeight>", range: last..<text.endIndex)!
            text.replaceSubrange(weight, with: "<ceb:grossWeight>heavy")
            let summary = try await ingest(text, into: store)
            #expect(summary.invalidDocuments == 1)
            let guid = try #require(summary.messageGuid)

            let first = try await forwarder.forward(messageGuid: guid)
            #expect(first.status == .routed(["customs"]))
            #expect(first.verdicts == BatchVerdicts(routed: 2, awaiting: 1, refused: 1, invalid: 1))
            #expect(first.issues.map(\.code) == ["MAT003"])
            var timeline = try #require(try await store.trace(.guid(guid)))
            let status = { (t: ShipmentTimeline, s: SampleShipment) in t.declarations.first { $0.messageGuid == guid && $0.copNo == s.copNo }?.status }
            #expect(status(timeline, shipments[0]) == "declared")
            #expect(status(timeline, shipments[1]) == "declared")
            #expect(status(timeline, shipments[2]) == "awaiting documents")
            #expect(status(timeline, shipments[3]) == "refused")
            #expect(status(timeline, shipments[4]) == nil, "an invalid document is not stored")
            #expect(timeline.events.contains { $0.code == "BAT001" })
            #expect(try await queuedCopNos(store, guid, shipments) == [[shipments[0].copNo, shipments[1].copNo]])

            // The third shipment's documents arrive: its inventory goes as part 2, alone.
            let s = shipments[2]
            _ = try await flow.accept(s.order)
            _ = try await flow.accept(s.waybill)
            let payment = try await flow.accept(s.payment)
            #expect(payment.released == [guid])
            timeline = try #require(try await store.trace(.guid(guid)))
            #expect(status(timeline, s) == "declared")
            #expect(try await queuedCopNos(store, guid, shipments) == [[shipments[0].copNo, shipments[1].copNo], [s.copNo]])
            #expect(timeline.deliveries.filter { $0.messageGuid == guid }.map { $0.part?.number } == [1, 2])

            // Forwarding again, either way, queues nothing.
            #expect(try await forwarder.forward(messageGuid: guid).status == .duplicate)
            #expect(try await forwarder.forward(messageGuid: guid, from: .awaitingDocuments).status == .duplicate)
            #expect(try await store.trace(.guid(guid))?.deliveries.filter { $0.messageGuid == guid }.count == 2)
        }
    }

    /// A batch with waiting inventories keeps where each of them lies; releasing one then reads that
    /// document with the batch's head and tail, not the rest of the batch. The kept range is checked
    /// against the stored bytes; on PostgreSQL a stored piece holding only other documents is
    /// overwritten with junk before the release, which still goes, alone, as the batch's next part (a release that
    /// decoded the whole batch again would fail on the junk).
    @Test(arguments: TestEngine.allCases)
    func aReleaseReadsOnlyItsOwnDocument(_ engine: TestEngine) async throws {
        let url = try freshURL(engine)
        let store = try await makeFlowStore(engine, url: url)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let shipments = (0..<8).map { SampleShipment.make(7500 + $0) }
            let late = shipments[6]
            for s in shipments where s.copNo != late.copNo { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
            let path = scratchDirectory("release-excerpt") + "/batch.xml"
            try SampleShipment.inventoryBatch(shipments).write(toFile: path, atomically: true, encoding: .utf8)
            let summary = try await BatchIngestor.ingest(path: path, store: store, options: IngestOptions(partSize: 1_024))
            let guid = try #require(summary.messageGuid)
            let first = try await BatchForwarder(store: store, routing: { table }).forward(messageGuid: guid)
            #expect(first.verdicts == BatchVerdicts(routed: 7, awaiting: 1, refused: 0, invalid: 0))

            let waiting = try await store.declarationGuids(messageGuid: guid, status: .awaitingDocuments)
            let kept = try await store.documentRanges(messageGuid: guid, status: .awaitingDocuments, among: waiting)
            #expect(kept.frame?.hasPrefix("f1 ") == true)
            #expect(kept.messageId != nil)  // the release's advance moves by it (the release below)
            // Naming nothing that waits finds nothing (no frame, no id): the release has nothing to do.
            let none = try await store.documentRanges(messageGuid: guid, status: .awaitingDocuments, among: ["no-such-guid"])
            #expect(none.frame == nil && none.documents.isEmpty && none.messageId == nil)
            let found = try #require(kept.documents.values.first)
            let range = try #require(found)
            #expect(range.index == 6)
            let raw = try #require(try await store.message(guid: guid)?.rawBytes)  // before the junk
            let document = String(decoding: raw[range.start..<range.end], as: UTF8.self)
            #expect(document.hasPrefix("<ceb:Inventory>") && document.hasSuffix("</ceb:Inventory>"), "\(document.prefix(80))")
            #expect(document.contains("<ceb:copNo>\(late.copNo)</ceb:copNo>"))
            #expect(document.components(separatedBy: "<ceb:Inventory>").count == 2, "one document")

            if engine == .postgresql {
                // Pieces 2… before the waiting document's hold only documents that went (piece k is
                // message_parts.part_no k - 1); the head is in piece 0.
                let before = range.start / 1_024
                try #require(before >= 4 && raw.count > 4 * 1_024)
                let psql = try PostgresTestServer.require().tool("psql")
                let junked = try await CommandRunner.run(psql, ["-v", "ON_ERROR_STOP=1", "-d", url, "-c", """
                    UPDATE message_parts SET bytes = convert_to(repeat('x', length(bytes)), 'UTF8')
                    WHERE message_id = (SELECT id FROM messages WHERE guid = '\(guid)') AND part_no BETWEEN 1 AND \(before - 2)
                    """])
                #expect(junked.status == 0 && junked.output.contains("UPDATE \(before - 2)"), "\(junked.output)")
            }
            _ = try await flow.accept(late.order)
            _ = try await flow.accept(late.waybill)
            let payment = try await flow.accept(late.payment)
            #expect(payment.released == [guid])
            let rows = try #require(try await store.trace(.guid(guid))).deliveries.filter { $0.messageGuid == guid }.sorted { $0.id < $1.id }
            #expect(rows.compactMap { $0.part?.number } == [1, 2])
            let pieces = try #require(try await store.messageHeader(guid: guid)).pieces
            let second = try #require(rows.last?.part)
            let text = String(decoding: try await MessagePartAssembler(store: store).assemble(messageGuid: guid, part: second, pieces: pieces).bytes,
                              as: UTF8.self)
            #expect(shipments.map(\.copNo).filter { text.contains("<ceb:copNo>\($0)</ceb:copNo>") } == [late.copNo])
            #expect(try await store.declarationGuids(messageGuid: guid, status: .awaitingDocuments).isEmpty)
            #expect(try await Self.keptRanges(store, guid) == 0, "a released document's range is forgotten")
        }
    }

    /// How many document ranges the store keeps for the message `guid`.
    static func keptRanges(_ store: any ClearanceFlowStore, _ guid: String) async throws -> Int {
        let sql = try #require(store as? SQLStore)
        return try await sql.session { (s: any SQLSession) throws(StoreError) -> Int in
            try s.queryOne("SELECT COUNT(*) FROM document_ranges r JOIN messages m ON m.id = r.message_id WHERE m.guid = $1",
                           [.text(guid)])?.int(0) ?? -1
        }
    }

    /// A waiting inventory whose stored batch can no longer be read (its bytes damaged) does not
    /// fail the payment that completes it: the payment is stored and routed, the inventory is held
    /// for ops with `REL001` (on the holds page), and ops refuse it. Before, the payment's intake
    /// threw after its commit, so its sender saw an error for a stored document.
    @Test(arguments: TestEngine.allCases)
    func aDamagedBatchHoldsItsWaitingInventoryWithoutFailingThePayment(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let (shipments, guid) = try await FlowFixtures.batchWaitingForOnePayment(store, table: table, first: 7530, partSize: 1_024)
            let late = shipments[2]

            // Every stored piece of the batch becomes bytes of the same length that are not XML.
            let sql = try #require(store as? SQLStore)
            let junk = engine == .postgresql ? "convert_to(repeat('x', length(bytes)), 'UTF8')" : "CAST(zeroblob(length(bytes)) AS BLOB)"
            let damaged = try await sql.session { (s: any SQLSession) throws(StoreError) -> Int in
                try s.execute("UPDATE message_parts SET bytes = \(junk) WHERE message_id = (SELECT id FROM messages WHERE guid = $1)", [.text(guid)])
            }
            #expect(damaged > 1)
            #expect(try await Self.keptRanges(store, guid) == 1)

            let payment = try await flow.accept(late.payment)
            #expect(payment.status == .routed(["customs"]))
            #expect(payment.released.isEmpty)
            #expect(try await store.declarationGuids(messageGuid: guid, status: .awaitingDocuments).isEmpty)
            #expect(try await store.declarationGuids(messageGuid: guid, status: .held).count == 1)
            let held = try await store.heldMessages(limit: 10)
            #expect(held.map(\.guid) == [guid])
            #expect(held.first?.reasons.count == 1 && held.first?.reasons.first?.hasPrefix("REL001 the stored message cannot be read back") == true,
                    "\(held)")
            let timeline = try #require(try await store.trace(.guid(guid)))
            #expect(timeline.events.contains { $0.kind == .releaseFailed && $0.code == "REL001" })
            #expect(timeline.deliveries.filter { $0.messageGuid == guid }.count == 1, "only the first forward's part")
            #expect(try await Self.keptRanges(store, guid) == 0)

            let refused = try await HoldReview(store: store, routing: { table }).refuse(messageGuid: guid, by: "OPS-DESK")
            #expect(refused.status == .refused)
            #expect(try await store.declarationGuids(messageGuid: guid, status: .held).isEmpty)
        }
    }

    /// When every document may go, the batch goes as it was received (one row, not re-packed).
    @Test(arguments: TestEngine.allCases)
    func aBatchWhoseDocumentsAllGoIsSentWhole(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let flow = ClearanceFlow(store: store, routing: { table })
            let shipments = (0..<3).map { SampleShipment.make(7150 + $0) }
            for s in shipments { for part in [s.order, s.payment, s.waybill] { _ = try await flow.accept(part) } }
            let guid = try #require(try await ingest(SampleShipment.inventoryBatch(shipments), into: store).messageGuid)
            let outcome = try await BatchForwarder(store: store, routing: { table }).forward(messageGuid: guid)
            #expect(outcome.status == .routed(["customs"]))
            #expect(outcome.verdicts == BatchVerdicts(routed: 3, awaiting: 0, refused: 0, invalid: 0))
            let rows = try #require(try await store.trace(.guid(guid))).deliveries.filter { $0.messageGuid == guid }
            #expect(rows.count == 1 && rows.first?.part == nil)
        }
    }

    /// Orders, payments and waybills that come as batches release the inventories waiting in
    /// another batch: the last of them completes every shipment, and the waiting batch goes in one
    /// pass (they were once never released: only single documents looked for waiting inventories).
    @Test(arguments: TestEngine.allCases)
    func batchesOfDocumentsReleaseTheInventoriesTheyComplete(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let forwarder = BatchForwarder(store: store, routing: { table })
            let shipments = (0..<4).map { SampleShipment.make(7400 + $0) }
            let inventories = try #require(try await ingest(SampleShipment.inventoryBatch(shipments), into: store).messageGuid)
            guard case .awaiting = try await forwarder.forward(messageGuid: inventories).status else { Issue.record("all wait"); return }
            // The last shipment's waybill never comes.
            let parts: [(KeyPath<SampleShipment, [UInt8]>, String, [SampleShipment])] = [
                (\.order, "Order", shipments), (\.payment, "Payment", shipments), (\.waybill, "Logistics", Array(shipments.prefix(3))),
            ]
            var released: [[String]] = []
            for (part, element, which) in parts {
                let guid = try #require(try await ingest(SampleShipment.batch(which, part, element: element), into: store).messageGuid)
                let outcome = try await forwarder.forward(messageGuid: guid)
                #expect(outcome.status == .routed(["customs"]), "\(element): \(outcome.status)")
                released.append(outcome.released)
            }
            #expect(released == [[], [], [inventories]], "only the waybills complete shipments")
            let trace = try #require(try await store.trace(.guid(inventories)))
            let statuses = Dictionary(grouping: trace.declarations.filter { $0.kind == .inventory }, by: \.status).mapValues(\.count)
            #expect(statuses == ["declared": 3, "awaiting documents": 1], "\(statuses)")
            #expect(try await queuedCopNos(store, inventories, shipments) == [shipments.prefix(3).map(\.copNo)])
        }
    }

    /// A batch whose inventories all wait names the first 100 in its answer and counts the rest:
    /// the answer of a 100,000-inventory batch was once one 7 MB line.
    @Test(arguments: TestEngine.allCases)
    func aWaitingBatchNamesTheFirstHundredAndCountsTheRest(_ engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        try await withCleanup({ await store.close() }) {
            let table = self.table
            let forwarder = BatchForwarder(store: store, routing: { table })
            let shipments = (0..<130).map { SampleShipment.make(7300 + $0) }
            let summary = try await ingest(SampleShipment.inventoryBatch(shipments), into: store)
            let guid = try #require(summary.messageGuid)
            let waiting = try await forwarder.forward(messageGuid: guid)
            guard case .awaiting(let missing) = waiting.status else { Issue.record("expected awaiting, got \(waiting.status)"); return }
            #expect(missing.count == BatchForwarder.namedAtMost + 1)
            #expect(missing.first == "\(shipments[0].copNo): order (CEB311), payment (CEB411), waybill (CEB511)")
            #expect(missing.last == "… 30 more inventories")
            #expect(waiting.summary.utf8.count < 20_000)
            let event = try #require(try await store.trace(.guid(guid))?.events.first { $0.kind == .awaitingDocuments })
            #expect(event.detail?.hasPrefix("130 inventories waiting for ") == true)
        }
    }
}
