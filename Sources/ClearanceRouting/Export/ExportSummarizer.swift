import CEBModel
import ClearanceStore
import Foundation

/// What a summary run did: the plan, and per declaration the application sent for it.
public struct SummaryRun: Sendable {
    /// One application sent.
    public struct Application: Sendable, Hashable {
        /// Index of its declaration in ``SummaryRun/plan``.
        public var declaration: Int
        public var copNo: String
        /// Envelope guids of its messages, in `msgSeqNo` order.
        public var messageGuids: [String]
        /// Where the flow routed it.
        public var destinations: [String]
        /// Inventories claimed for it (an inventory another run took meanwhile is left out).
        public var inventories: Int
    }

    public var plan: SummaryPlan
    /// Empty for a dry run.
    public var applications: [Application]
    /// Where the messages were written (`--out-dir`), when asked.
    public var written: [String]
}

/// The summary declaration (汇总申报) of one enterprise and month: reads its export inventories
/// back from the store, forms the declarations customs will form (``SummaryPlanner``) and, unless
/// it is a dry run, claims their inventories, writes one CEB701 application per declaration and
/// hands each message to the ``ClearanceFlow`` — stored, checked and routed like any message.
/// Inventories are claimed before the application goes out, in one guarded transaction, so two
/// runs never summarise the same inventory; an application the flow does not route gives its
/// inventories back.
public struct ExportSummarizer: Sendable {
    private let store: any ClearanceFlowStore
    private let flow: ClearanceFlow?
    private let maxInventoriesPerMessage: Int
    private let pageSize: Int
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - flow: routes the applications; nil for dry runs only.
    ///   - maxInventoriesPerMessage: an application listing more is split over several messages.
    ///   - pageSize: inventories read from the store at a time (what a run holds besides its sums).
    public init(store: any ClearanceFlowStore, flow: ClearanceFlow?, maxInventoriesPerMessage: Int = 1000, pageSize: Int = 1000,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.flow = flow
        self.maxInventoriesPerMessage = maxInventoriesPerMessage
        self.pageSize = max(1, pageSize)
        self.now = now
    }

    /// The declarations the enterprise's cleared inventories of `period` form, and what is left out.
    public func plan(ebcCode: String, period: SummaryPeriod) async throws(SummaryError) -> SummaryPlan {
        try await accumulate(ebcCode: ebcCode, period: period).plan
    }

    /// The tax-refund dataset of the enterprise's exports of `period`: the declarations customs
    /// formed from its summaries (``TaxRefundPlanner``), read back from the same stored inventories.
    public func taxRefund(ebcCode: String, period: SummaryPeriod) async throws(SummaryError) -> TaxRefundReport {
        // Only summarised inventories (an entryId) are in the dataset: the others are not even decoded.
        try TaxRefundPlanner.report(try await allCandidates(ebcCode: ebcCode) { $0.entryId != nil }, ebcCode: ebcCode, period: period)
    }

    /// Foreign-exchange settlement of the enterprise's `period`: its exports set against its payment
    /// receipts, order by order (``FXSettlementPlanner``).
    public func fxSettlement(ebcCode: String, period: SummaryPeriod) async throws(SummaryError) -> FXSettlementReport {
        let payments: [ExportPaymentStanding]
        do {
            payments = try await store.exportPayments(ebcCode: ebcCode)
        } catch {
            throw .store(error)
        }
        // Only exports customs let go count: the others are not even decoded.
        let exported = try await allCandidates(ebcCode: ebcCode) { FXSettlementPlanner.exportedStatuses.contains($0.status) }
        return try FXSettlementPlanner.report(exported, payments: payments,
                                              ebcCode: ebcCode, period: period)
    }

    /// Plans and, unless `dryRun`, sends. `outDirectory` receives each message written (`<copNo>_<seq>.xml`).
    public func run(ebcCode: String, period: SummaryPeriod, dryRun: Bool, outDirectory: URL? = nil) async throws(SummaryError) -> SummaryRun {
        let accumulated = try await accumulate(ebcCode: ebcCode, period: period)
        let plan = accumulated.plan
        var run = SummaryRun(plan: plan, applications: [], written: [])
        guard !dryRun, let flow else { return run }
        let facts = accumulated.parties
        let date = now()
        for (index, declaration) in plan.declarations.enumerated() {
            guard let parties = facts[index] else { continue }
            let copNo = Self.copNo(index: index, at: date)
            let claimed: Set<Int64>
            do {
                claimed = Set(try await store.claimForSummary(
                    inventoryIds: declaration.inventories.map(\.declarationId), copNo: copNo, period: period.description, ebcCode: ebcCode))
            } catch {
                throw .store(error)
            }
            let invtNos = declaration.inventories.filter { claimed.contains($0.declarationId) }.map(\.invtNo)
            guard !invtNos.isEmpty else { continue }
            var application = SummaryRun.Application(declaration: index, copNo: copNo, messageGuids: [], destinations: [], inventories: invtNos.count)
            do throws(SummaryError) {
                let parts = try SummaryApplicationWriter.messages(
                    copNo: copNo, invtNos: invtNos, parties: parties, maxInventoriesPerMessage: maxInventoriesPerMessage, at: date)
                for part in parts {
                    if let outDirectory { run.written.append(try Self.write(part, copNo: copNo, to: outDirectory)) }
                    let outcome: FlowOutcome
                    do {
                        outcome = try await flow.accept(part.bytes, receivedAt: date)
                    } catch {
                        throw SummaryError.notRouted(copNo: copNo, why: error.description)
                    }
                    guard case .routed(let destinations) = outcome.status else {
                        throw SummaryError.notRouted(copNo: copNo, why: ([outcome.summary] + outcome.issues.map(\.description)).joined(separator: "; "))
                    }
                    application.messageGuids.append(part.guid)
                    application.destinations = Array(Set(application.destinations + destinations)).sorted()
                }
            } catch {
                try? await store.releaseSummaryClaim(copNo: copNo)
                throw error
            }
            run.applications.append(application)
        }
        return run
    }

    /// A copNo no other application has: `SA`, the run's China time to the second, the
    /// declaration's index and four random hex digits (23 characters; the standard allows 30).
    static func copNo(index: Int, at date: Date) -> String {
        "SA" + ChinaTime.cebTime(date, milliseconds: false) + String(format: "%03d", index % 1000)
            + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(4))
    }

    private static func write(_ part: SummaryApplicationWriter.Part, copNo: String, to directory: URL) throws(SummaryError) -> String {
        let url = directory.appendingPathComponent("\(copNo)_\(part.msgSeqNo).xml")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(part.bytes).write(to: url, options: .atomic)
        } catch {
            throw .unwritable("\(url.path): \(error.localizedDescription)")
        }
        return url.path
    }

    /// The enterprise's inventories run through the summary rule as they are read.
    private func accumulate(ebcCode: String, period: SummaryPeriod) async throws(SummaryError) -> SummaryPlanAccumulator {
        var accumulator = SummaryPlanAccumulator(ebcCode: ebcCode, period: period)
        try await forEachCandidate(ebcCode: ebcCode) { (candidate, parties) throws(SummaryError) in
            try accumulator.add(candidate, parties: parties)
        }
        return accumulator
    }

    /// The export inventories of the enterprise whose standing is `wanted`, with their documents,
    /// for the datasets that group them all at once.
    private func allCandidates(ebcCode: String, wanted: (ExportInventoryStanding) -> Bool) async throws(SummaryError) -> [SummaryCandidate] {
        var all: [SummaryCandidate] = []
        try await forEachCandidate(ebcCode: ebcCode, wanted: wanted) { (candidate, _) throws(SummaryError) in all.append(candidate) }
        return all
    }

    /// Hands each export inventory of the enterprise (each `wanted` one), oldest first, with its document read back
    /// from its message and the parties an application for it names, to `body`: a page of
    /// inventories at a time, each message of the page fetched and decoded once. Only the current
    /// page's decoded inventories are held (the message of the page's last inventory is kept into
    /// the next page, where its other inventories usually are), so memory does not grow with the month.
    private func forEachCandidate(
        ebcCode: String, wanted: (ExportInventoryStanding) -> Bool = { _ in true },
        _ body: (SummaryCandidate, SummaryApplicationWriter.Parties?) throws(SummaryError) -> Void
    ) async throws(SummaryError) {
        var decoded: [String: Result<StoredInventories, FlowError>] = [:]
        var afterId: Int64 = 0
        while true {
            let page: [ExportInventoryStanding]
            do {
                page = try await store.exportInventories(ebcCode: ebcCode, afterId: afterId, limit: pageSize)
            } catch {
                throw .store(error)
            }
            let guids = Set(page.map(\.messageGuid))
            decoded = decoded.filter { guids.contains($0.key) }
            for standing in page where wanted(standing) {
                let message: Result<StoredInventories, FlowError>
                if let known = decoded[standing.messageGuid] {
                    message = known
                } else {
                    message = try await read(messageGuid: standing.messageGuid)
                    decoded[standing.messageGuid] = message
                }
                switch message {
                case .success(let message):
                    let inventory = message.inventories[standing.declarationGuid]
                    try body(SummaryCandidate(standing: standing, inventory: inventory),
                             inventory.map { SummaryApplicationWriter.Parties($0.head, baseTransfer: message.baseTransfer) })
                case .failure(let error):
                    try body(SummaryCandidate(standing: standing, inventory: nil, unreadable: error.description), nil)
                }
            }
            guard page.count == pageSize, let last = page.last else { return }
            afterId = last.declarationId
        }
    }

    /// The export inventories of one stored message by head guid, and its BaseTransfer: all a
    /// summary needs of it (the raw bytes and other documents are let go at once).
    private struct StoredInventories {
        var inventories: [String: ExportInventory]
        var baseTransfer: BaseTransfer?
    }

    private func read(messageGuid: String) async throws(SummaryError) -> Result<StoredInventories, FlowError> {
        let stored: MessageRecord?
        do {
            stored = try await store.message(guid: messageGuid)
        } catch {
            throw .store(error)
        }
        guard let stored else { return .failure(.unreadable("message \(messageGuid) is not stored whole")) }
        return Result { () throws(FlowError) in
            let message = try DecodedMessage.decode(stored.rawBytes)
            var inventories: [String: ExportInventory] = [:]
            for case .exportInventory(let inventory) in message.documents where inventories[inventory.head.guid] == nil {
                inventories[inventory.head.guid] = inventory
            }
            return StoredInventories(inventories: inventories, baseTransfer: message.baseTransfer)
        }
    }
}
