import CEBModel
import ClearanceRouting
import Foundation
import Logging

/// A small customs / inspection / payment counterpart for tests and demos.
///
/// It accepts routed messages (bare CEB or `dxp:DxpMsg`), dedupes them by guid (per
/// ``Counterpart``), checks them (schema and customs rules, as Clearance does), and after
/// configurable delays answers with signed receipts:
/// - as customs, each declaration in the customs status sequence: 2 (declared at the e-port) →
///   120 (accepted) → [500 inspection] → 800 (released) → 899 (cleared) for inventories, 2 → 120
///   for orders, payments and waybills — or 100 (returned) with a reason for malformed or (by the
///   configured rate) rejected declarations;
/// - on the export side, export inventories 2 → 120 → [500] → 800 (released); arrival and
///   departure notices 2 → 120, and after an accepted departure a CEB604 899 (结关) for every released
///   inventory of the parcels it lists; summary applications 2 → 120 (CEB702 with a `sumNo`) and,
///   once every part is in, one CEB792 per declaration the summary rule forms, with an `entryId`;
///   export orders, receipts of payment, waybills, cancels and consolidated waybills 2 → 120;
/// - as the inspection authority, each message (its InspOrder and the inventory or order carrying
///   it) with `InspReturn` answers: 2 → 120 → [500 hold] → 800, or 2 → 100 rejected;
/// - as the payment/FX regulator, each payment (CEB411, CEB403, real-time payment data) with
///   `PayExReturn` answers: 2 → 120 verified, or 2 → 100 rejected;
/// - as customs again, with ``SimulatorConfig/realtimeData``: it asks the platform for the original
///   payment data of every order it receives (announcement 2018 No. 179) and checks the upload that
///   answers it (``PaymentDataInspector``).
/// Decisions are deterministic for a seed.
public final class CustomsSimulator: @unchecked Sendable {
    /// What the simulator answered to one submission.
    public enum Answer: Sendable, Hashable {
        /// Accepted for processing (HTTP 202).
        case accepted(guid: String)
        /// Already received (HTTP 202 too, nothing scheduled again).
        case duplicate(guid: String)
        /// Unreadable (HTTP 400).
        case malformed(String)
    }

    /// The configuration.
    public let config: SimulatorConfig
    private let logger: Logger
    private let lock = NSLock()
    private var seen: [Counterpart: [String: Int]] = [:]
    private var order: [Counterpart: [String]] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var emitted = 0
    private var scheduled = 0
    private let receiptDestinations: [Counterpart: HTTPDestination]
    private let exportMemory = ExportCustomsMemory()
    private let asker: PaymentDataAsker?

    /// Creates a simulator.
    public init(config: SimulatorConfig, logger: Logger = Logger(label: "clearance.simulator")) throws(DeliveryError) {
        self.config = config
        self.logger = logger
        var destinations: [Counterpart: HTTPDestination] = [:]
        for counterpart in Counterpart.allCases {
            guard let url = config.receiptsURLs[counterpart] ?? config.receiptsURL else { continue }
            let http = DestinationConfig.HTTP(url: url, timeoutSeconds: 10, concurrency: 2)
            destinations[counterpart] = try HTTPDestination(
                config: DestinationConfig(name: "receipts-\(counterpart.rawValue)", transport: .http(http), envelope: .none), http: http)
        }
        receiptDestinations = destinations
        asker = try config.realtimeData.map { (realtime: RealtimeDataConfig) throws(DeliveryError) in
            try PaymentDataAsker(config: realtime, logger: logger)
        }
    }

    /// Customs' side of real-time payment data (requests made, uploads received); nil unless configured.
    public var paymentData: PaymentDataInspector? { asker?.inspector }

    /// The platform's acknowledgement of each payment data request, by sessionID.
    public var paymentDataAcknowledgements: [String: String] { asker?.acknowledgements ?? [:] }

    /// How many times each guid was received as customs (dedupe evidence: a count above 1 is a redelivery).
    public var receivedCounts: [String: Int] { receivedCounts(at: .customs) }

    /// Distinct guids received as customs, in first-arrival order.
    public var arrivalOrder: [String] { arrivalOrder(at: .customs) }

    /// How many times each guid was received by `counterpart`.
    public func receivedCounts(at counterpart: Counterpart) -> [String: Int] { lock.withLock { seen[counterpart] ?? [:] } }

    /// Distinct guids received by `counterpart`, in first-arrival order.
    public func arrivalOrder(at counterpart: Counterpart) -> [String] { lock.withLock { order[counterpart] ?? [] } }

    /// Receipts emitted so far, and scheduled in total.
    public var progress: (emitted: Int, scheduled: Int) { lock.withLock { (emitted, scheduled) } }

    /// Takes one submission addressed to `counterpart` (customs unless said otherwise).
    public func submit(_ bytes: [UInt8], to counterpart: Counterpart = .customs) -> Answer {
        let message: DecodedMessage
        do {
            message = try DecodedMessage.decode(bytes)
        } catch {
            return .malformed(error.description)
        }
        let first: Bool = lock.withLock {
            seen[counterpart, default: [:]][message.guid, default: 0] += 1
            if seen[counterpart]?[message.guid] == 1 { order[counterpart, default: []].append(message.guid); return true }
            return false
        }
        guard first else { return .duplicate(guid: message.guid) }
        schedule(message, as: counterpart)
        if counterpart == .customs, let asker {
            for case .order(let order) in message.documents where message.errors.isEmpty { asker.ask(orderNo: order.head.orderNo) }
        }
        return .accepted(guid: message.guid)
    }

    /// Waits (bounded) until every scheduled receipt is emitted.
    public func waitUntilIdle(timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (done, total) = progress
            if done >= total { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    /// Waits (bounded) until every payment data request has been posted to the platform.
    public func waitUntilAsked(timeout: TimeInterval) async -> Bool {
        await asker?.waitUntilAsked(timeout: timeout) ?? true
    }

    /// Cancels pending receipts and requests, and closes connections.
    public func shutdown() async {
        await asker?.shutdown()
        let pending = lock.withLock { let t = tasks; tasks = []; return t }
        for task in pending { task.cancel() }
        for task in pending { await task.value }
        for destination in receiptDestinations.values { await destination.shutdown() }
    }

    // MARK: Receipts

    /// The status sequence for one declaration, with its receipt info.
    func sequence(for document: CEBDocument, guid: String, errors: [String]) -> [(String, String)] {
        var rng = SplitMix64.forKey(guid, seed: config.seed)
        let reject = rng.unit() < config.rejectionRate
        let inspect = rng.unit() < config.inspectionRate
        if !errors.isEmpty {
            return [("100", "退单：报文校验未通过 " + errors.prefix(3).joined(separator: "; "))]
        }
        if reject {
            return [("2", "电子口岸申报中"), ("100", "退单：商品信息与备案不符（模拟）")]
        }
        switch document {
        case .inventory:
            var steps = [("2", "电子口岸申报中"), ("120", "海关入库成功")]
            if inspect { steps.append(("500", "查验：布控查验（模拟）")) }
            steps += [("800", "放行"), ("899", "结关")]
            return steps
        case .exportInventory:
            // 结关 (899) follows the departure notice, not the release.
            var steps = [("2", "电子口岸申报中"), ("120", "海关入库成功")]
            if inspect { steps.append(("500", "查验：布控查验（模拟）")) }
            return steps + [("800", "放行")]
        default:
            return [("2", "电子口岸申报中"), ("120", "海关入库成功")]
        }
    }

    /// The unsigned receipts customs answers `message` with, in order.
    private func customsReceipts(_ message: DecodedMessage, start: Date) -> [(type: String, bytes: [UInt8])] {
        let errors = message.errors.map { "\($0.code) \($0.field ?? "")" }
        var receipts: [(type: String, bytes: [UInt8])] = []
        var step = 0
        for document in message.documents {
            let key = documentKey(document) ?? message.guid
            for (status, info) in sequence(for: document, guid: key, errors: errors) {
                step += 1
                let time = start.addingTimeInterval(Double(step) * 0.001)
                guard let receipt = ReceiptBuilder.receipt(for: document, status: status, info: info, time: time, customsCode: config.customsCode) else { continue }
                receipts.append(receipt)
                if status == "800" || status == "120" {
                    receipts += exportFollowUps(document, status: status, time: time, step: &step, start: start)
                }
            }
        }
        return receipts
    }

    /// What customs does after accepting or releasing a document: issues the tax bill of a released
    /// import inventory; on the export side remembers a released inventory, clears (899) the inventories of an accepted departure's parcels, and
    /// answers a complete summary application with its CEB792 results.
    private func exportFollowUps(_ document: CEBDocument, status: String, time: Date, step: inout Int, start: Date) -> [(type: String, bytes: [UInt8])] {
        switch (document, status) {
        case (.inventory(let inventory), "800"):
            // A released retail import is taxed: customs issues its electronic tax bill (CEB816).
            step += 1
            return [TaxBillBuilder.bill(for: inventory, invtNo: ReceiptBuilder.importInvtNo(inventory.head, customsCode: config.customsCode),
                                        time: start.addingTimeInterval(Double(step) * 0.001), customsCode: config.customsCode)]
        case (.exportInventory(let inventory), "800"):
            exportMemory.released(inventory, invtNo: ReceiptBuilder.exportInvtNo(inventory.head, customsCode: config.customsCode))
            return []
        case (.departure(let departure), "120"):
            return exportMemory.inventories(parcels: departure.lines.map(\.logisticsNo)).compactMap { entry in
                step += 1
                return ReceiptBuilder.receipt(for: .exportInventory(entry.inventory), status: "899", info: "结关",
                                              time: start.addingTimeInterval(Double(step) * 0.001), customsCode: config.customsCode)
            }
        case (.summaryApplication(let part), "120"):
            guard let parts = exportMemory.summaryPart(part) else { return [] }
            step += 1
            return SummaryResultBuilder.results(for: parts, memory: exportMemory, time: start.addingTimeInterval(Double(step) * 0.001),
                                                customsCode: config.customsCode)
        default:
            return []
        }
    }

    private func schedule(_ message: DecodedMessage, as counterpart: Counterpart) {
        let start = config.clock()
        let receipts: [(type: String, bytes: [UInt8])]
        switch counterpart {
        case .customs: receipts = customsReceipts(message, start: start)
        case .inspection: receipts = inspectionAnswers(message, start: start)
        case .payment: receipts = paymentAnswers(message, start: start)
        }
        let plans: [(String, [UInt8])] = receipts.map { receipt in
            var bytes = receipt.bytes
            if let signer = config.signer, let signed = try? signer.sign(bytes: bytes) { bytes = signed }
            return (receipt.type, bytes)
        }
        guard !plans.isEmpty else { return }
        let delay = config.stepDelaySeconds
        let steps = plans
        let task = Task { [weak self] in
            for (type, bytes) in steps {
                if Task.isCancelled { return }
                try? await Task.sleep(nanoseconds: UInt64(max(delay, 0) * 1e9))
                if Task.isCancelled { return }
                await self?.emit(type: type, bytes: bytes, as: counterpart)
            }
        }
        lock.withLock {
            scheduled += steps.count
            tasks.append(task)
        }
    }

    func documentKey(_ document: CEBDocument) -> String? {
        switch document {
        case .order(let o): o.head.guid
        case .payment(let p): p.head.guid
        case .logistics(let l): l.head.guid
        case .inventory(let i): i.head.guid
        case .exportInventory(let i): i.head.guid
        default: nil
        }
    }

    private func emit(type: String, bytes: [UInt8], as counterpart: Counterpart) async {
        let guid = DecodedMessageGuid.of(bytes) ?? UUID().uuidString
        let outbound = OutboundMessage(guid: guid, messageType: type, bytes: bytes)
        if let spool = config.receiptsSpool {
            do {
                try SpoolWriter.write(bytes, directory: spool, fileName: String(format: "%@_%013.0f_%@.xml", type, Date().timeIntervalSince1970 * 1000, guid))
            } catch {
                logger.error("cannot write receipt", metadata: ["error": "\(error)"])
            }
        }
        if let destination = receiptDestinations[counterpart] {
            for attempt in 1...5 {
                do {
                    try await destination.deliver(outbound)
                    break
                } catch {
                    logger.warning("receipt POST failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                    try? await Task.sleep(nanoseconds: 200_000_000)
                }
            }
        }
        lock.withLock { emitted += 1 }
    }
}

/// Reads the envelope guid attribute of a CEB message without decoding it fully.
enum DecodedMessageGuid {
    static func of(_ bytes: [UInt8]) -> String? {
        let head = String(decoding: bytes.prefix(1024), as: UTF8.self)
        guard let range = head.range(of: "guid=\"") else { return nil }
        let rest = head[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
