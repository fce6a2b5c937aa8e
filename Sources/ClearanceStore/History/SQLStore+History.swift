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
        // On PostgreSQL only the partitions that can hold the year's rows (``DeclarationIdFloors``).
        let floors = declarationFloors
        let rows: [(key: String, id: Int64, value: Int64, cleared: Bool)]
        do {
            rows = try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(key: String, id: Int64, value: Int64, cleared: Bool)] in
                let floor = try floors.floor(year: year, in: s)
                return try s.lookup(Self.annualTotalSQL(floored: floor != nil),
                             [.text(buyerIdType), .text(hash), .integer(start), .integer(end), .text(excludingDeclarationGuid ?? "")]
                                + Self.annualTotalStatuses.map { .text($0) } + (floor.map { [.integer($0)] } ?? [])
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

    /// The statuses a buyer's annual total counts: released or cleared, and in flight.
    static let annualTotalStatuses = ["800", "899"] + inFlightStatuses

    /// A buyer's inventories of a year: type `$1`, hash `$2`, application time from `$3` to before
    /// `$4`, not the declaration `$5`, of the ``annualTotalStatuses`` (`$6…`); `floored`: from the
    /// declaration id after those (``DeclarationIdFloors``). A key look-up (cached plan) by the
    /// buyer's hash index: `kind || ''`, as in the other look-ups, leaves no index that leads with
    /// kind (every inventory) for the plan to take.
    static func annualTotalSQL(floored: Bool) -> String {
        let statuses = annualTotalStatuses.indices.map { "$\($0 + 6)" }.joined(separator: ", ")
        return """
            SELECT COALESCE(cop_no, invt_no, declaration_guid), id, goods_value, freight, status FROM declarations
            WHERE (kind || '') = 'inventory' AND buyer_id_type = $1 AND buyer_id_hash = $2
              AND app_time >= $3 AND app_time < $4 AND declaration_guid <> $5 AND status IN (\(statuses))
            """ + (floored ? "  AND id >= $\(annualTotalStatuses.count + 6)" : "")
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
