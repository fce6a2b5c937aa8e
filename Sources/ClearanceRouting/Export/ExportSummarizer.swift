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
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - flow: routes the applications; nil for dry runs only.
    ///   - maxInventoriesPerMessage: an application listing more is split over several messages.
    public init(store: any ClearanceFlowStore, flow: ClearanceFlow?, maxInventoriesPerMessage: Int = 1000,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.flow = flow
        self.maxInventoriesPerMessage = maxInventoriesPerMessage
        self.now = now
    }

    /// The declarations the enterprise's cleared inventories of `period` form, and what is left out.
    public func plan(ebcCode: String, period: SummaryPeriod) async throws(SummaryError) -> SummaryPlan {
        try SummaryPlanner.plan(try await candidates(ebcCode: ebcCode).map(\.candidate), ebcCode: ebcCode, period: period)
    }

    /// The tax-refund dataset of the enterprise's exports of `period`: the declarations customs
    /// formed from its summaries (``TaxRefundPlanner``), read back from the same stored inventories.
    public func taxRefund(ebcCode: String, period: SummaryPeriod) async throws(SummaryError) -> TaxRefundReport {
        try TaxRefundPlanner.report(try await candidates(ebcCode: ebcCode).map(\.candidate), ebcCode: ebcCode, period: period)
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
        return try FXSettlementPlanner.report(try await candidates(ebcCode: ebcCode).map(\.candidate), payments: payments,
                                              ebcCode: ebcCode, period: period)
    }

    /// Plans and, unless `dryRun`, sends. `outDirectory` receives each message written (`<copNo>_<seq>.xml`).
    public func run(ebcCode: String, period: SummaryPeriod, dryRun: Bool, outDirectory: URL? = nil) async throws(SummaryError) -> SummaryRun {
        let read = try await candidates(ebcCode: ebcCode)
        let plan = try SummaryPlanner.plan(read.map(\.candidate), ebcCode: ebcCode, period: period)
        var run = SummaryRun(plan: plan, applications: [], written: [])
        guard !dryRun, let flow else { return run }
        let facts = Dictionary(read.compactMap { entry in entry.parties.map { (entry.candidate.standing.declarationId, $0) } },
                               uniquingKeysWith: { a, _ in a })
        let date = now()
        for (index, declaration) in plan.declarations.enumerated() {
            guard let first = declaration.inventories.first, let parties = facts[first.declarationId] else { continue }
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

    /// Every export inventory of the enterprise with its document read back from its message
    /// (each message decoded once) and the parties an application for it names.
    private func candidates(ebcCode: String) async throws(SummaryError) -> [(candidate: SummaryCandidate, parties: SummaryApplicationWriter.Parties?)] {
        let standings: [ExportInventoryStanding]
        do {
            standings = try await store.exportInventories(ebcCode: ebcCode)
        } catch {
            throw .store(error)
        }
        var decoded: [String: Result<DecodedMessage, FlowError>] = [:]
        var out: [(SummaryCandidate, SummaryApplicationWriter.Parties?)] = []
        for standing in standings {
            if decoded[standing.messageGuid] == nil {
                do {
                    guard let stored = try await store.message(guid: standing.messageGuid) else {
                        decoded[standing.messageGuid] = .failure(.unreadable("message \(standing.messageGuid) is not stored whole"))
                        continue
                    }
                    decoded[standing.messageGuid] = Result { () throws(FlowError) in try DecodedMessage.decode(stored.rawBytes) }
                } catch {
                    throw .store(error)
                }
            }
            switch decoded[standing.messageGuid] {
            case .success(let message)?:
                let inventory = message.documents.lazy.compactMap { document -> ExportInventory? in
                    if case .exportInventory(let i) = document, i.head.guid == standing.declarationGuid { return i }
                    return nil
                }.first
                out.append((SummaryCandidate(standing: standing, inventory: inventory),
                            inventory.map { SummaryApplicationWriter.Parties($0.head, baseTransfer: message.baseTransfer) }))
            case .failure(let error)?:
                out.append((SummaryCandidate(standing: standing, inventory: nil, unreadable: error.description), nil))
            case nil:
                out.append((SummaryCandidate(standing: standing, inventory: nil, unreadable: "message \(standing.messageGuid) is not stored"), nil))
            }
        }
        return out
    }
}
