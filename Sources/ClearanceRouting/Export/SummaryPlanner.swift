import CEBModel
import ClearanceStore

/// What a summary run finds for one enterprise and month: the declarations customs will form out
/// of its cleared, not yet summarised inventories, and every other inventory with why it is left out.
public struct SummaryPlan: Sendable, Hashable {
    public var ebcCode: String
    public var period: SummaryPeriod
    /// In key order, each with its inventories in store order and its lines in key order.
    public var declarations: [SummaryDeclaration]
    public var exclusions: [SummaryExclusion]
}

/// An export inventory as stored, with its document read back from its message (nil: unreadable, with why).
public struct SummaryCandidate: Sendable, Hashable {
    public var standing: ExportInventoryStanding
    public var inventory: ExportInventory?
    public var unreadable: String?

    public init(standing: ExportInventoryStanding, inventory: ExportInventory?, unreadable: String? = nil) {
        self.standing = standing
        self.inventory = inventory
        self.unreadable = unreadable
    }
}

/// Customs' summary rule, applied ahead of customs so the enterprise sees what it will get:
/// only cleared (899) inventories declared for summary (`statisticsFlag` B) of the month (`ieDate`,
/// the export date) that are in no summary yet; one declaration per ``SummaryDeclarationKey``,
/// one line per ``SummaryLineKey`` with quantities and values summed exactly.
public enum SummaryPlanner {
    public static func plan(_ candidates: [SummaryCandidate], ebcCode: String, period: SummaryPeriod) throws(SummaryError) -> SummaryPlan {
        var groups: [SummaryDeclarationKey: (inventories: [SummaryInventory], lines: SummaryLineSum)] = [:]
        var exclusions: [SummaryExclusion] = []
        for candidate in candidates {
            let standing = candidate.standing
            func exclude(_ reason: SummaryExclusionReason) {
                exclusions.append(SummaryExclusion(copNo: standing.copNo, invtNo: standing.invtNo, reason: reason))
            }
            guard let inventory = candidate.inventory else { exclude(.unreadable(candidate.unreadable ?? "not an export inventory")); continue }
            let head = inventory.head
            if let reason = standingReason(standing) { exclude(reason); continue }
            if head.statisticsFlag.uppercased() != "B" { exclude(.simplified); continue }
            guard period.contains(cebDate: head.ieDate) else {
                exclude(.anotherPeriod(SummaryPeriod.of(cebDate: head.ieDate)?.description ?? head.ieDate))
                continue
            }
            let key = SummaryDeclarationKey(ebcCode: head.ebcCode, trafMode: head.trafMode, ownerCode: head.ownerCode,
                                            country: head.country, portCode: head.portCode)
            var group = groups[key] ?? ([], SummaryLineSum())
            let invtNo = standing.invtNo ?? head.invtNo ?? ""
            group.inventories.append(SummaryInventory(
                declarationId: standing.declarationId, copNo: head.copNo, invtNo: invtNo, logisticsNo: head.logisticsNo))
            try group.lines.add(inventory, source: invtNo)
            groups[key] = group
        }
        let declarations = groups.keys.sorted().map { key in
            SummaryDeclaration(key: key, inventories: groups[key]!.inventories, lines: groups[key]!.lines.sorted)
        }
        return SummaryPlan(ebcCode: ebcCode, period: period, declarations: declarations, exclusions: exclusions)
    }

    /// Why the inventory's status keeps it out, or nil when it is cleared and in no summary.
    static func standingReason(_ s: ExportInventoryStanding) -> SummaryExclusionReason? {
        if s.summaryCopNo != nil || s.entryId != nil || s.status == .summarising || s.status == .summarized {
            return .alreadySummarised(application: s.summaryCopNo, entryId: s.entryId)
        }
        if [.cancelled, .returned, .deleted, .exportReturned, .refused, DeclarationStatus("700")].contains(s.status) {
            return .cancelled(s.status)
        }
        return s.status == .cleared ? nil : .notCleared(s.status)
    }
}
