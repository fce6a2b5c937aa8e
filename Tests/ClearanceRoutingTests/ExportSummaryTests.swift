import CEBModel
import ClearanceIngest
import ClearanceRouting
import ClearanceRules
import ClearanceStore
import ClearanceTestSupport
import CustomsSimulator
import Foundation
import Testing

/// A month of retail exports for two enterprises through the flow and the simulated customs, on
/// both stores: orders, receipts of payment, waybills and inventories (released), arrival, departure
/// and 结关; then `summarize`, whose declarations are checked against grouping and sums worked out
/// here from the shipments' plain data; then customs' CEB702 and CEB792, and a rerun that
/// summarises nothing twice. Every CEB701 written passes xmllint with the official export.xsd.
@Suite("Export clearance and the summary declaration", .serialized)
struct ExportSummaryTests {
    static let official = Repository.root.appendingPathComponent("schemas/official/202205").path
    static let types = ["CEB303", "CEB403", "CEB505", "CEB603", "CEB605", "CEB607", "CEB507", "CEB509", "CEB701"]

    /// Export messages to one customs destination that nobody delivers to (the test hands them to the simulator).
    static func table() -> RoutingTable {
        let customs = DestinationConfig(
            name: "customs", transport: .http(.init(url: "http://127.0.0.1:9/ceb", timeoutSeconds: 1, concurrency: 1)), profile: .standard,
            envelope: .dxp, receiverId: "DXPEDCCEB0000001", authority: .customs, maxAttempts: 3, maxAgeSeconds: 3600)
        var match = RoutingRule.Match()
        match.messageTypes = Set(types)
        return RoutingTable(senderId: "DXPENT0000000001", destinations: ["customs": customs],
                            rules: [RoutingRule(name: "export-to-customs", match: match, destinations: ["customs"], isFinal: true)])
    }

    /// The simulated customs answering through a spool, its answers stored in returnTime order.
    final class Customs: @unchecked Sendable {
        let simulator: CustomsSimulator
        let spool: String
        let receipts: ReceiptProcessor

        init(store: any ClearanceFlowStore) throws {
            spool = scratchDirectory("export-customs")
            simulator = try CustomsSimulator(config: SimulatorConfig(stepDelaySeconds: 0, receiptsSpool: spool))
            receipts = ReceiptProcessor(store: store)
        }

        /// Submits the messages, waits for every answer and stores them in customs' order; returns the answers' types.
        @discardableResult
        func answer(_ messages: [[UInt8]]) async throws -> [String] {
            for bytes in messages {
                guard case .accepted = simulator.submit(bytes) else { Issue.record("the simulator refused a message"); continue }
            }
            #expect(await simulator.waitUntilIdle(timeout: 120))  // hang guard only
            var answers: [(time: String, path: String, message: DecodedMessage)] = []
            for path in SpoolInbox(directory: spool).pending() {
                let message = try DecodedMessage.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                #expect(message.errors.isEmpty, "\(message.messageType): \(message.errors)")
                let time = message.documents.compactMap { DeclarationMapper.receipt($0, messageGuid: message.guid)?.returnTime }.first ?? ""
                answers.append((time, path, message))
            }
            var types: [String] = []
            for answer in answers.sorted(by: { $0.time < $1.time }) {
                _ = try await receipts.process(answer.message.bytes)
                types.append(answer.message.messageType)
                try FileManager.default.removeItem(atPath: answer.path)
            }
            return types
        }

        func shutdown() async {
            await simulator.shutdown()
            try? FileManager.default.removeItem(atPath: spool)
        }
    }

    /// A fresh store, the flow routing export messages to customs, and the simulated customs answering them.
    static func rig(_ engine: TestEngine) async throws -> (any ClearanceFlowStore, ClearanceFlow, Customs) {
        let store = try await makeFlowStore(engine)
        let table = Self.table()
        return (store, ClearanceFlow(store: store, routing: { table }), try Customs(store: store))
    }

    /// What the test expects of one declaration, worked out from the shipments alone.
    struct Expected: Hashable {
        var key: [String]
        var copNos: Set<String>
        var lines: [[String]: (quantity: Decimal, value: Decimal)]
        static func == (a: Expected, b: Expected) -> Bool { a.key == b.key && a.copNos == b.copNos }
        func hash(into h: inout Hasher) { h.combine(key) }
    }

    static func expected(_ shipments: [ExportMonth.Shipment], ebc: String, cleared: Set<Int>) -> [[String]: Expected] {
        var out: [[String]: Expected] = [:]
        for s in shipments where s.ebcCode == ebc && s.statisticsFlag == "B" && s.ieDate.hasPrefix("202610") && cleared.contains(s.index) {
            let key = [s.ebcCode, s.trafMode, s.ownerCode, s.country, s.portCode]
            var e = out[key] ?? Expected(key: key, copNos: [], lines: [:])
            e.copNos.insert(s.copNo)
            for l in s.lines {
                let lineKey = [l.country, l.gcode, l.currency]
                let sum = e.lines[lineKey] ?? (0, 0)
                e.lines[lineKey] = (sum.quantity + Decimal(string: l.qty1)!, sum.value + Decimal(string: l.totalPrice)!)
            }
            out[key] = e
        }
        return out
    }

    @Test("a month of exports for two enterprises: cleared, summarised as customs' rule forms them, answered, never twice",
          arguments: TestEngine.allCases)
    func monthToSummary(engine: TestEngine) async throws {
        let (store, flow, customs) = try await Self.rig(engine)
        let month = ExportMonth.make(count: 24, seed: engine == .sqlite ? 7 : 8)

        // Orders, receipts of payment, waybills and inventories: routed, answered, released.
        var documents: [[UInt8]] = []
        for s in month.shipments {
            for bytes in [ExportMonth.order(s), ExportMonth.paymentReceipt(s), ExportMonth.waybill(s), ExportMonth.inventory(s)] {
                let outcome = try await flow.accept(bytes)
                #expect(outcome.status == .routed(["customs"]), "\(outcome.messageType) \(s.index): \(outcome.summary) \(outcome.issues)")
                documents.append(bytes)
            }
        }
        try await customs.answer(documents)
        for ebc in ExportMonth.enterprises {
            for standing in try await store.exportInventories(ebcCode: ebc) {
                #expect(standing.status == .released, "\(standing.copNo ?? "?") \(standing.status)")
                #expect(standing.invtNo != nil, "customs gave an invtNo")
            }
        }

        // Arrival of every parcel; departure of all but every ninth: those stay arrived, the rest are cleared.
        let departing = month.shipments.filter { $0.index % 9 != 8 }
        let arrival = ExportMonth.notice(departure: false, month.shipments, tag: month.shipments[0].index)
        let departure = ExportMonth.notice(departure: true, departing, tag: month.shipments[0].index)
        #expect(try await flow.accept(arrival).status == .routed(["customs"]))
        try await customs.answer([arrival])
        let arrivedNow = try await store.exportInventories(ebcCode: ExportMonth.enterprises[0])
        #expect(arrivedNow.allSatisfy { $0.status == .arrived })
        #expect(try await flow.accept(departure).status == .routed(["customs"]))
        let answered = try await customs.answer([departure])
        #expect(answered.filter { $0 == "CEB604" }.count == departing.count, "a 结关 receipt per departed inventory")
        let cleared = Set(departing.map(\.index))
        for ebc in ExportMonth.enterprises {
            for standing in try await store.exportInventories(ebcCode: ebc) {
                let shipment = try #require(month.shipments.first { $0.copNo == standing.copNo })
                #expect(standing.status == (cleared.contains(shipment.index) ? .cleared : .arrived), "\(shipment.index)")
            }
        }
        // The reminder: cleared and not yet summarised, per enterprise.
        let reminder = try await store.stats().exportsToSummarise
        #expect(reminder.map(\.ebcCode) == ExportMonth.enterprises.sorted())
        for e in reminder {
            #expect(e.count == departing.filter { $0.ebcCode == e.ebcCode }.count)
        }
        // The timeline of an inventory shows the way there.
        let trace = try #require(try await store.trace(.orderNo(departing[0].orderNo)))
        let kinds = Set(trace.events.map(\.kind))
        #expect(kinds.isSuperset(of: [.exportArrived, .exportDeparted, .receipt]), "\(kinds)")
        #expect(ShipmentStatus.of(trace) == "cleared")
        let stillArrived = try #require(month.shipments.first { !cleared.contains($0.index) })
        #expect(ShipmentStatus.of(try #require(try await store.trace(.orderNo(stillArrived.orderNo)))) == "arrived")
        #expect(DeclarationPhase(status: "departed") == .released && DeclarationPhase(status: "summarized") == .cleared,
                "modify and delete stay refused after release (LIF003/LIF004)")

        // Dry run: nothing changes; the declarations are the ones worked out here.
        let summarizer = ExportSummarizer(store: store, flow: flow, maxInventoriesPerMessage: 2)
        let period = try #require(SummaryPeriod("2026-10"))
        for ebc in ExportMonth.enterprises {
            let plan = try await summarizer.plan(ebcCode: ebc, period: period)
            let expected = Self.expected(month.shipments, ebc: ebc, cleared: cleared)
            #expect(expected.count >= 3, "the month exercises the grouping")
            #expect(plan.declarations.count == expected.count)
            for d in plan.declarations {
                let key = [d.key.ebcCode, d.key.trafMode, d.key.ownerCode, d.key.country, d.key.portCode]
                let e = try #require(expected[key], "unexpected declaration \(key)")
                #expect(Set(d.inventories.map(\.copNo)) == e.copNos, "\(key)")
                #expect(d.lines.count == e.lines.count, "\(key)")
                for line in d.lines {
                    let sums = try #require(e.lines[[line.key.country, line.key.gcode, line.key.currency]])
                    #expect(Decimal(string: line.quantity.description) == sums.quantity, "\(key) \(line.key)")
                    #expect(Decimal(string: line.value.description) == sums.value, "\(key) \(line.key)")
                }
            }
            let mine = month.shipments.filter { $0.ebcCode == ebc }
            let reasons = Dictionary(plan.exclusions.map { ($0.copNo ?? "", $0.reason) }, uniquingKeysWith: { a, _ in a })
            for s in mine {
                let reason = reasons[s.copNo]
                if !s.ieDate.hasPrefix("202610") && s.statisticsFlag == "B" && cleared.contains(s.index) {
                    #expect(reason == .anotherPeriod("2026-11"), "\(s.index)")
                } else if s.statisticsFlag == "A" && cleared.contains(s.index) {
                    #expect(reason == .simplified, "\(s.index)")
                } else if !cleared.contains(s.index) {
                    #expect(reason == .notCleared(.arrived), "\(s.index)")
                } else {
                    #expect(reason == nil, "\(s.index) is in a declaration")
                }
            }
        }
        #expect(try await store.exportInventories(ebcCode: ExportMonth.enterprises[0]).filter { $0.status == .summarising }.isEmpty)

        // The run: one application per declaration, split by two, each message valid against the official schema.
        var applications: [[UInt8]] = []
        var summarised = 0
        var summarizerDeclarations = 0
        for ebc in ExportMonth.enterprises {
            let run = try await summarizer.run(ebcCode: ebc, period: period, dryRun: false)
            #expect(run.applications.count == run.plan.declarations.count)
            summarizerDeclarations += run.plan.declarations.count
            for application in run.applications {
                let inventories = run.plan.declarations[application.declaration].inventories.count
                #expect(application.inventories == inventories)
                #expect(application.messageGuids.count == (inventories + 1) / 2)
                summarised += inventories
                for guid in application.messageGuids {
                    let stored = try #require(try await store.message(guid: guid))
                    applications.append(stored.rawBytes)
                    let path = scratchDirectory("ceb701") + "/\(guid).xml"
                    try Data(stored.rawBytes).write(to: URL(fileURLWithPath: path))
                    let check = try await CommandRunner.run("/usr/bin/env", ["xmllint", "--noout", "--schema", Self.official + "/export.xsd", path])
                    #expect(check.status == 0, "CEB701 fails the official export.xsd: \(check.output)")
                }
            }
        }
        #expect(applications.count > summarizerDeclarations, "some applications were split over several messages")
        let claimed = try await ExportMonth.enterprises.asyncFlatMap { try await store.exportInventories(ebcCode: $0) }
        #expect(claimed.filter { $0.status == .summarising }.count == summarised)

        let left = try await store.stats().exportsToSummarise.reduce(0) { $0 + $1.count }
        #expect(left == departing.count - summarised, "what stays is simplified or of another month")
        // A second run before customs answers summarises nothing.
        for ebc in ExportMonth.enterprises {
            let again = try await summarizer.run(ebcCode: ebc, period: period, dryRun: false)
            #expect(again.plan.declarations.isEmpty && again.applications.isEmpty)
        }

        // Customs answers: CEB702 then CEB792 with a declaration number on every summarised inventory.
        let answers = try await customs.answer(applications)
        #expect(answers.contains("CEB702") && answers.contains("CEB792"))
        let after = try await ExportMonth.enterprises.asyncFlatMap { try await store.exportInventories(ebcCode: $0) }
        let done = after.filter { $0.status == .summarized }
        #expect(done.count == summarised)
        #expect(done.allSatisfy { ($0.entryId?.count ?? 0) == 18 && $0.decState == "1" })
        #expect(ShipmentStatus.of(try #require(try await store.trace(.orderNo(departing[0].orderNo)))) == "summarized"
                || !done.contains { $0.copNo == departing[0].copNo })
        for ebc in ExportMonth.enterprises {
            let last = try await summarizer.run(ebcCode: ebc, period: period, dryRun: false)
            #expect(last.applications.isEmpty)
            #expect(last.plan.exclusions.filter { if case .alreadySummarised = $0.reason { true } else { false } }.count
                    == done.filter { d in month.shipments.contains { $0.copNo == d.copNo && $0.ebcCode == ebc } }.count)
        }
        try await Self.checkTaxRefund(summarizer, month: month, cleared: cleared, summarized: after)
        let applicationTrace = try #require(try await store.trace(.guid(DecodedMessage.decode(applications[0]).guid)))
        #expect(applicationTrace.declarations.contains { $0.kind == .summaryApplication && $0.status == "120" }, "CEB702 moved the application")
        await customs.shutdown()
        await store.close()
    }
}

extension ExportSummaryTests {
    @Test("an export inventory whose order disagrees is refused field by field; one that agrees shows the match", arguments: TestEngine.allCases)
    func exportMatch(engine: TestEngine) async throws {
        let store = try await makeFlowStore(engine)
        let table = Self.table()
        let flow = ClearanceFlow(store: store, routing: { table })
        let month = ExportMonth.make(count: 2, seed: engine == .sqlite ? 17 : 18)
        let good = month.shipments[0]
        for bytes in [ExportMonth.order(good), ExportMonth.paymentReceipt(good), ExportMonth.waybill(good)] {
            #expect(try await flow.accept(bytes).status == .routed(["customs"]))
        }
        #expect(try await flow.accept(ExportMonth.inventory(good)).status == .routed(["customs"]))
        let trace = try #require(try await store.trace(.orderNo(good.orderNo)))
        #expect(trace.events.contains { $0.kind == .documentsMatched && $0.detail == "order, receipt of payment and waybill agree" })

        // The second shipment's order names another item on its first line (its own sums still add up).
        let bad = month.shipments[1]
        var order = String(decoding: ExportMonth.order(bad), as: UTF8.self)
        let item = try #require(order.range(of: "<ceb:itemNo>IT\(bad.lines[0].gcode)</ceb:itemNo>"))
        order.replaceSubrange(item, with: "<ceb:itemNo>ANOTHER</ceb:itemNo>")
        #expect(try await flow.accept(Array(order.utf8)).status == .routed(["customs"]))
        let refused = try await flow.accept(ExportMonth.inventory(bad))
        #expect(refused.status == .refused)
        #expect(refused.issues.map(\.code) == ["MAT103"], "\(refused.issues)")
        #expect(refused.issues.first?.field == "inventory.InventoryList[1].itemNo")
        await store.close()
    }
}

extension ExportSummaryTests {
    /// The tax-refund dataset read after customs' CEB792: one declaration per entryId, its grouping keys
    /// and line sums those worked out here from the shipments, each line naming the inventories that hold
    /// its goods; the CSV has a row per line; a month with no summary gives nothing.
    static func checkTaxRefund(_ summarizer: ExportSummarizer, month: ExportMonth, cleared: Set<Int>,
                               summarized: [ExportInventoryStanding]) async throws {
        let period = try #require(SummaryPeriod("2026-10"))
        let invtNos = Dictionary(summarized.compactMap { s in s.copNo.map { ($0, s.invtNo ?? "") } }, uniquingKeysWith: { a, _ in a })
        for ebc in ExportMonth.enterprises {
            let report = try await summarizer.taxRefund(ebcCode: ebc, period: period)
            let expected = Self.expected(month.shipments, ebc: ebc, cleared: cleared)
            #expect(report.unreadable.isEmpty)
            #expect(report.declarations.count == expected.count, "one declaration number per declaration formed")
            #expect(Set(report.declarations.map(\.entryId)).count == report.declarations.count)
            var lineRows = 0
            for d in report.declarations {
                #expect(d.entryId.count == 18 && d.decState == "1")
                let key = [d.shipper, d.trafMode, d.ownerCode, d.country, d.portCode]
                let e = try #require(expected[key], "unexpected declaration \(key)")
                #expect(Set(d.inventories.map(\.copNo)) == e.copNos, "\(key)")
                #expect(d.exportDate == d.inventories.map(\.exportDate).max() && d.exportDate.hasPrefix("202610"))
                #expect(d.lines.map(\.lineNo) == Array(1...d.lines.count))
                #expect(d.lines.count == e.lines.count)
                for line in d.lines {
                    let sums = try #require(e.lines[[line.country, line.gcode, line.currency]])
                    #expect(Decimal(string: line.quantity) == sums.quantity && Decimal(string: line.value) == sums.value, "\(key) \(line.gcode)")
                    let behind = month.shipments.filter { s in
                        e.copNos.contains(s.copNo) && s.lines.contains { $0.country == line.country && $0.gcode == line.gcode && $0.currency == line.currency }
                    }
                    #expect(Set(line.inventories) == Set(behind.map { invtNos[$0.copNo] ?? "?" }), "\(key) \(line.gcode)")
                    let unit1 = behind.first?.lines.first { $0.country == line.country && $0.gcode == line.gcode && $0.currency == line.currency }?.unit1
                    #expect(line.goodsName == "品名" && line.declaredUnit == "140" && line.unit == unit1, "as the inventories give them")
                }
                lineRows += d.lines.count
            }
            let rows = report.csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.count == lineRows + 1 && rows[0].hasPrefix("entryId,exportDate,"))
            let november = try await summarizer.taxRefund(ebcCode: ebc, period: try #require(SummaryPeriod("2026-11")))
            #expect(november.declarations.isEmpty, "November's inventories are in no summary")
        }
    }
}

extension Array {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out += try await transform(element) }
        return out
    }
}
