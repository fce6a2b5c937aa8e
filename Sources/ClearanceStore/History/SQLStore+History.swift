import CEBModel
import ClearanceRules
import Foundation

/// ``ClearanceHistory`` on the store's rows: linked documents are rebuilt from their declaration
/// rows and lines (`SQLStore+LinkedDocuments.swift`), annual totals and phases read the rows.
extension SQLStore {
    /// Statuses that count as in flight: declared to customs and not yet released, returned or
    /// cancelled (e-port and customs stages, inspection, detention). Unknown codes do not count.
    static let inFlightStatuses = [DeclarationStatus.declared.rawValue, "1", "2", "3", "120", "300", "399", "500", "501", "502", "503", "599"]

    func annualTotal(
        buyerIdType: String, buyerIdNumber: String, year: Int, excludingDeclarationGuid: String?
    ) async throws(ClearanceHistoryError) -> BuyerAnnualTotal {
        guard let masker = masker.get() else { throw ClearanceHistoryError("the store is not migrated") }
        let hash = masker.hash(idNumber: buyerIdNumber)
        let (start, end) = Self.chinaYearBounds(year)
        let counted = ["800", "899"] + Self.inFlightStatuses
        let placeholders = counted.indices.map { "$\($0 + 6)" }.joined(separator: ", ")
        let rows: [(key: String, id: Int64, value: Int64, cleared: Bool)]
        do {
            rows = try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(key: String, id: Int64, value: Int64, cleared: Bool)] in
                // A key look-up (cached plan) by the buyer's hash index: `kind || ''`, as in the other
                // look-ups, leaves no index that leads with kind (every inventory) for the plan to take.
                try s.lookup("""
                    SELECT COALESCE(cop_no, invt_no, declaration_guid), id, goods_value, freight, status FROM declarations
                    WHERE (kind || '') = 'inventory' AND buyer_id_type = $1 AND buyer_id_hash = $2
                      AND app_time >= $3 AND app_time < $4 AND declaration_guid <> $5 AND status IN (\(placeholders))
                    """, [.text(buyerIdType), .text(hash), .integer(start), .integer(end), .text(excludingDeclarationGuid ?? "")]
                        + counted.map { .text($0) }
                ).map { (row: SQLRow) throws(StoreError) in
                    let value = (row.decimal(2)?.scaled ?? 0) + (row.decimal(3)?.scaled ?? 0)
                    let status = row.string(4) ?? ""
                    return (try row.requireString(0, "key"), try row.requireInt64(1, "id"), value, status == "800" || status == "899")
                }
            }
        } catch {
            throw ClearanceHistoryError(error.description)
        }
        // Revisions of one inventory (modify) are separate rows: count the newest of each.
        var newest: [String: (id: Int64, value: Int64, cleared: Bool)] = [:]
        for row in rows where (newest[row.key]?.id ?? -1) < row.id { newest[row.key] = (row.id, row.value, row.cleared) }
        let cleared = newest.values.filter(\.cleared).reduce(0) { $0 + $1.value }
        let inFlight = newest.values.filter { !$0.cleared }.reduce(0) { $0 + $1.value }
        return BuyerAnnualTotal(cleared: CEBDecimal(units: cleared), inFlight: CEBDecimal(units: inFlight))
    }

    /// The phase of the newest declaration (or revision) of `kind` with this business key
    /// (``StoreLookups/newestDeclaration``: asked for every declaration, coalesced across requests).
    func declarationPhase(kind: String, businessKey: String, senderCode: String) async throws(ClearanceHistoryError) -> (phase: DeclarationPhase, declarationGuid: String?) {
        do {
            guard let newest = try await lookups.newestDeclaration.value(
                for: StoreLookups.BusinessKey(kind: kind, key: businessKey, senderCode: senderCode)) else { return (.none, nil) }
            return (DeclarationPhase(status: newest.status), newest.declarationGuid)
        } catch {
            throw ClearanceHistoryError(error.description)
        }
    }
}

extension SQLStore {
    /// Unix milliseconds of 1 January `year` and of the next 1 January, China Standard Time (UTC+8).
    static func chinaYearBounds(_ year: Int) -> (Int64, Int64) {
        let bounds = ChinaTime.yearBounds(year)
        return (StoreClock.milliseconds(bounds.start), StoreClock.milliseconds(bounds.end))
    }
}
