import CEBModel
import ClearanceStore

/// ``SummaryPlanner``'s rule applied one inventory at a time, so a summary run reads a month as a
/// stream: per declaration it keeps only its line sums, the inventories' ids and numbers (what the
/// plan lists and the claim needs) and the parties of its first inventory (what its application
/// names) — never an inventory's goods once they are summed, nor the messages they came from.
///
/// Groups are updated in place (`groups[key, default:]`): copying a group out and back in would
/// copy its inventory list on every add (quadratic in a declaration's size).
struct SummaryPlanAccumulator {
    private struct Group {
        var inventories: [SummaryInventory] = []
        var lines = SummaryLineSum(keepsSources: false)
        var parties: SummaryApplicationWriter.Parties?
    }

    let ebcCode: String
    let period: SummaryPeriod
    private var groups: [SummaryDeclarationKey: Group] = [:]
    private var exclusions: [SummaryExclusion] = []

    init(ebcCode: String, period: SummaryPeriod) {
        self.ebcCode = ebcCode
        self.period = period
    }

    /// Puts `candidate` in its declaration, or among the exclusions with why. `parties`: who an
    /// application for it would be from (kept for a declaration's first inventory only).
    mutating func add(_ candidate: SummaryCandidate, parties: SummaryApplicationWriter.Parties? = nil) throws(SummaryError) {
        let standing = candidate.standing
        guard let inventory = candidate.inventory else {
            return exclude(standing, .unreadable(candidate.unreadable ?? "not an export inventory"))
        }
        let head = inventory.head
        if let reason = SummaryPlanner.standingReason(standing) { return exclude(standing, reason) }
        if head.statisticsFlag.uppercased() != "B" { return exclude(standing, .simplified) }
        guard period.contains(cebDate: head.ieDate) else {
            return exclude(standing, .anotherPeriod(SummaryPeriod.of(cebDate: head.ieDate)?.description ?? head.ieDate))
        }
        let key = SummaryDeclarationKey(ebcCode: head.ebcCode, trafMode: head.trafMode, ownerCode: head.ownerCode,
                                        country: head.country, portCode: head.portCode)
        let invtNo = standing.invtNo ?? head.invtNo ?? ""
        try groups[key, default: Group()].lines.add(inventory, source: invtNo)
        groups[key, default: Group()].inventories.append(SummaryInventory(
            declarationId: standing.declarationId, copNo: head.copNo, invtNo: invtNo, logisticsNo: head.logisticsNo))
        if groups[key]?.parties == nil, let parties { groups[key]?.parties = parties }
    }

    /// The declarations in key order (each with its inventories in the order added and its lines
    /// in key order) and the exclusions in the order added.
    var plan: SummaryPlan {
        SummaryPlan(ebcCode: ebcCode, period: period, declarations: groups.keys.sorted().map { key in
            SummaryDeclaration(key: key, inventories: groups[key]!.inventories, lines: groups[key]!.lines.sorted)
        }, exclusions: exclusions)
    }

    /// The parties of each declaration of ``plan`` (same order): those of its first inventory.
    var parties: [SummaryApplicationWriter.Parties?] { groups.keys.sorted().map { groups[$0]!.parties } }

    private mutating func exclude(_ standing: ExportInventoryStanding, _ reason: SummaryExclusionReason) {
        exclusions.append(SummaryExclusion(copNo: standing.copNo, invtNo: standing.invtNo, reason: reason))
    }
}
