import ClearanceTestSupport
import CEBModel
import ClearanceRules
import Foundation
import Testing
@testable import ClearanceIngest
@testable import ClearanceStore

/// A CEB607 consolidated waybill (清单总分单) of more lines than a part streams through ingest in parts
/// (``CEBLimits/linesPerPart``), is stored whole over several chunks, and is linked to the export
/// inventories its lines name; lines naming inventories not stored are reported, not fatal.
@Suite("Consolidated waybills streamed")
struct ManifestStreamingTests {
    /// The generator's invtNo and logisticsNo of manifest line `index` (0-based).
    static func invtNo(_ index: Int) -> String { "35012026E" + String(format: "%09d", index) }
    static func logisticsNo(_ index: Int) -> String { "MWX35" + String(format: "%011d", index) }

    /// Stores export inventories (CEB603) with the invtNos of these manifest lines, in one message.
    static func storeInventories(_ store: SQLStore, lines: [Int], relabelled: Set<Int> = []) async throws -> [Int: Int64] {
        let guid = "E603" + UUID().uuidString.dropFirst(4)
        let declarations = lines.map { index in
            DeclarationRecord(kind: .exportInventory, messageGuid: guid, declarationGuid: UUID().uuidString.uppercased(), appType: "1",
                              logisticsNo: relabelled.contains(index) ? "RELABELLED\(index)" : logisticsNo(index), invtNo: invtNo(index), copNo: "EXPCOP\(index)", ebcCode: "3501960001",
                              customsCode: "3501", ieFlag: "E")
        }
        _ = try await store.ingest([IngestItem(message: MessageRecord(
            guid: guid, messageType: "CEB603", senderCode: "3501960001", direction: .inbound, receivedAt: .now,
            rawBytes: Array("<CEB603Message/>".utf8), signatureVerdict: "unchecked"), declarations: declarations)])
        var ids: [Int: Int64] = [:]
        for index in lines {
            let rows = try await store.rawQuery("SELECT id FROM declarations WHERE invt_no = $1 AND kind = 'export-inventory'", [.text(invtNo(index))])
            ids[index] = Int64(try #require(rows.first?.first.flatMap { $0 }) ?? "")
        }
        return ids
    }

    @Test("10,000 lines in 3 parts over several chunks: stored whole, linked to the stored inventories, the others reported",
          arguments: TestEngine.allCases)
    func streamedAndLinked(engine: TestEngine) async throws {
        let lines = 10_000
        let batch = try generateBatch(type: "CEB607", count: lines)
        #expect(batch.lineCount == lines)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            let linked = [0, 4_095, 4_096, 9_999]
            let inventories = try await Self.storeInventories(store, lines: linked, relabelled: [4_096])
            var options = IngestOptions(partSize: 64 << 10)
            options.maxChunkLines = 3_000
            let observer = RecordingObserver()
            let summary = try await BatchIngestor.ingest(path: batch.path, store: store, options: options, observer: observer)

            #expect(observer.issues.filter { $0.severity == .error }.isEmpty, "\(observer.issues.prefix(5))")
            #expect(summary.documents == 1)
            #expect(summary.invalidDocuments == 0)
            #expect(summary.declarationsInserted == 1)
            #expect(summary.linesInserted == lines)
            #expect(summary.chunksCommitted >= 3, "parts of 4,096 lines cut into chunks of 3,000 lines")
            #expect(try await store.count("declarations", where: "kind = 'manifest'") == 1)
            #expect(try await store.count("declaration_lines", where: "declaration_id = (SELECT id FROM declarations WHERE kind = 'manifest')") == lines)
            #expect(try await store.duplicateLines().isEmpty)
            // Line 10,000 is what the last part carried: invtNo in itemName, logisticsNo in itemNo.
            let last = try await store.rawQuery("SELECT item_no, item_name FROM declaration_lines WHERE gnum = 10000")
            #expect(last.first == [Self.logisticsNo(9_999), Self.invtNo(9_999)])

            // The link: an event on each named inventory, the rest counted with the first examples.
            let links = summary.manifestLinks
            #expect(links.lines == lines)
            #expect(links.linkedLines == linked.count)
            #expect(links.eventsAdded == linked.count)
            #expect(links.unknownLines == lines - linked.count)
            #expect(links.otherParcelLines == 1, "the inventory of line 4,097 carries another logisticsNo")
            #expect(links.unknownExamples == (1...ManifestLinkReport.maxExamples).map { Self.invtNo($0) })
            #expect(try await store.count("events", where: "kind = 'consolidated'") == linked.count)
            for index in linked {
                let id = try #require(inventories[index])
                let detail = try await store.rawQuery("SELECT detail FROM events WHERE kind = 'consolidated' AND declaration_id = $1", [.integer(id)])
                #expect(detail.first?.first.flatMap { $0 } == "consolidated waybill billNo MWHX2611260003 (copNo MWZF000020261125), parcel \(Self.logisticsNo(index))")
            }
            let onManifest = try await store.rawQuery(
                "SELECT detail FROM events WHERE kind = 'manifest-linked' AND declaration_id = (SELECT id FROM declarations WHERE kind = 'manifest')")
            #expect(onManifest.first?.first.flatMap { $0 }?.hasPrefix("4 of 10000 parcels linked to stored export inventories; 9996 name inventories not stored (e.g. \(Self.invtNo(1)),") == true,
                    "\(onManifest)")
            #expect(onManifest.first?.first.flatMap { $0 }?.hasSuffix("; 1 name an inventory of another waybill (logisticsNo)") == true, "\(onManifest)")

            // The inventory's timeline (trace, API, ops shipment page) names the master bill.
            let timeline = try #require(try await store.trace(.invtNo(Self.invtNo(4_096))))
            #expect(timeline.events.contains { $0.kind == .consolidated && $0.detail?.contains("billNo MWHX2611260003") == true })

            // A re-run stores and links nothing new.
            let again = try await BatchIngestor.ingest(path: batch.path, store: store, options: options)
            #expect(again.linesInserted == 0)
            #expect(again.manifestLinks.linkedLines == linked.count)
            #expect(again.manifestLinks.eventsAdded == 0)
            #expect(try await store.count("events", where: "kind = 'consolidated'") == linked.count)
        }
    }

    @Test("an error in a later part withdraws what the earlier parts stored", arguments: TestEngine.allCases)
    func errorInALaterPart(engine: TestEngine) async throws {
        let batch = try generateBatch(type: "CEB607", count: 10_000)
        var text = try String(contentsOfFile: batch.path, encoding: .utf8)
        let broken = "<ceb:gnum>9000</ceb:gnum>"
        try #require(text.contains(broken))
        text = text.replacingOccurrences(of: broken, with: "<ceb:gnum>nine thousand</ceb:gnum>")
        try text.write(toFile: batch.path, atomically: true, encoding: .utf8)
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            _ = try await Self.storeInventories(store, lines: [0])
            var options = IngestOptions(partSize: 64 << 10)
            options.maxChunkLines = 3_000
            let observer = RecordingObserver()
            let summary = try await BatchIngestor.ingest(path: batch.path, store: store, options: options, observer: observer)
            let errors = observer.issues.filter { $0.severity == .error }
            #expect(errors.count == 1)
            #expect(errors.first?.field?.contains("WayBillList[9000]") == true, "\(errors)")
            #expect(summary.documents == 1)
            #expect(summary.invalidDocuments == 1)
            #expect(summary.declarationsWithdrawn == 1)
            #expect(summary.manifestLinks.lines == 0)
            #expect(try await store.count("declarations", where: "kind = 'manifest'") == 0)
            #expect(try await store.count("declaration_lines") == 0)
            #expect(try await store.count("events", where: "kind = 'consolidated'") == 0)
        }
    }

    @Test("a whole (short) consolidated waybill is linked too, and lines out of order across parts are refused",
          arguments: TestEngine.allCases)
    func shortManifestAndOrder(engine: TestEngine) async throws {
        let store = try await openTestStore(try freshURL(engine))
        try await withCleanup({ await store.close() }) {
            _ = try await Self.storeInventories(store, lines: [1])
            let sample = Repository.path("samples/valid/CEB607-waybill.xml")
            var text = try String(contentsOfFile: sample, encoding: .utf8)
            text = text.replacingOccurrences(of: "35012026E000004570", with: Self.invtNo(1))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("CEB607-\(UUID().uuidString).xml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let summary = try await BatchIngestor.ingest(path: path, store: store)
            #expect(summary.invalidDocuments == 0)
            #expect(summary.manifestLinks.lines == 3)
            #expect(summary.manifestLinks.linkedLines == 1)
            #expect(summary.manifestLinks.unknownExamples == ["35012026E000004567", "35012026E000004573"])

            // Parts of 2 lines: gnum 3 after gnum 1, then 2 — the third line goes back.
            var limits = CEBLimits()
            limits.linesPerPart = 2
            var options = IngestOptions(validation: ValidationOptions(limits: limits))
            options.maxChunkLines = 2
            let swapped = text.replacingOccurrences(of: "CEB607Message guid=\"615D85E4", with: "CEB607Message guid=\"715D85E4")
                .replacingOccurrences(of: "MWZF202611260001", with: "MWZF202611260002")
                .replacingOccurrences(of: "<ceb:gnum>2</ceb:gnum>", with: "<ceb:gnum>X</ceb:gnum>")
                .replacingOccurrences(of: "<ceb:gnum>3</ceb:gnum>", with: "<ceb:gnum>2</ceb:gnum>")
                .replacingOccurrences(of: "<ceb:gnum>X</ceb:gnum>", with: "<ceb:gnum>3</ceb:gnum>")
            try swapped.write(toFile: path, atomically: true, encoding: .utf8)
            let observer = RecordingObserver()
            let refused = try await BatchIngestor.ingest(path: path, store: store, options: options, observer: observer)
            #expect(observer.issues.contains { $0.code == "ING002" && $0.field == "WayBillList[3].gnum" }, "\(observer.issues)")
            #expect(refused.invalidDocuments == 1)
            #expect(refused.declarationsWithdrawn == 1)
            #expect(try await store.count("declarations", where: "kind = 'manifest'") == 1)
        }
    }
}
