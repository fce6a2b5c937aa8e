import CEBModel
import ClearanceStore

/// Forms the tax-refund dataset from stored export inventories: those customs summarised into a
/// declaration (an `entryId` from CEB792) and exported in the month, grouped by declaration number,
/// their lines summed by the summary's own line rule (``SummaryLineSum``), so what is filed for the
/// refund is what customs declared.
public enum TaxRefundPlanner {
    public static func report(_ candidates: [SummaryCandidate], ebcCode: String, period: SummaryPeriod) throws(SummaryError) -> TaxRefundReport {
        var groups: [String: (standing: ExportInventoryStanding, head: ExportInventoryHead, inventories: [TaxRefundInventory], lines: SummaryLineSum)] = [:]
        var unreadable: [String] = []
        for candidate in candidates {
            let standing = candidate.standing
            guard let entryId = standing.entryId else { continue }
            let invtNo = standing.invtNo ?? candidate.inventory?.head.invtNo ?? standing.copNo ?? ""
            guard let inventory = candidate.inventory else {
                unreadable.append("\(invtNo): \(candidate.unreadable ?? "not an export inventory")")
                continue
            }
            let head = inventory.head
            guard period.contains(cebDate: head.ieDate) else { continue }
            // In place (`default:`): a group copied out and back would copy its lists on every inventory.
            groups[entryId, default: (standing, head, [], SummaryLineSum())].inventories.append(TaxRefundInventory(
                invtNo: invtNo, copNo: head.copNo, orderNo: head.orderNo, logisticsNo: head.logisticsNo, exportDate: head.ieDate))
            try groups[entryId, default: (standing, head, [], SummaryLineSum())].lines.add(inventory, source: invtNo)
        }
        let declarations = groups.keys.sorted().map { entryId in
            let group = groups[entryId]!
            let lines = group.lines.sorted
            let declaration = SummaryDeclaration(key: SummaryDeclarationKey(
                ebcCode: group.head.ebcCode, trafMode: group.head.trafMode, ownerCode: group.head.ownerCode,
                country: group.head.country, portCode: group.head.portCode), inventories: [], lines: lines)
            return TaxRefundDeclaration(
                entryId: entryId, decState: group.standing.decState, summaryCopNo: group.standing.summaryCopNo,
                exportDate: group.inventories.map(\.exportDate).max() ?? "",
                shipper: declaration.key.ebcCode, trafMode: declaration.key.trafMode, ownerCode: declaration.key.ownerCode,
                country: declaration.key.country, portCode: declaration.key.portCode, inventories: group.inventories,
                lines: lines.enumerated().map { index, line in
                    TaxRefundLine(
                        lineNo: index + 1, gcode: line.key.gcode, goodsName: line.goodsName, quantity: line.quantity.description,
                        unit: line.unit, declaredQuantity: line.declaredQuantity.description, declaredUnit: line.declaredUnit,
                        value: line.value.description, currency: line.key.currency, country: line.key.country,
                        inventories: group.lines.sources(of: line.key))
                },
                totals: declaration.totals.map { TaxRefundTotal(currency: $0.currency, value: $0.value.description) })
        }
        return TaxRefundReport(ebcCode: ebcCode, period: period.description, declarations: declarations, unreadable: unreadable)
    }
}
