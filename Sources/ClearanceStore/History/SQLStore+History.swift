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

    /// The phase of the newest declaration (or revision) of `kind` with this business key.
    ///
    /// A business key is always the value of one of the indexed columns in the first condition
    /// (see `DeclarationRecord.businessKey`), so that condition narrows by index; the second keeps
    /// the exact meaning (the key itself, or a revision `key|appType|guid`).
    func declarationPhase(kind: String, businessKey: String, senderCode: String) async throws(ClearanceHistoryError) -> (phase: DeclarationPhase, declarationGuid: String?) {
        do {
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> (phase: DeclarationPhase, declarationGuid: String?) in
                // The key columns' own indexes must find the rows. `kind || ''` and
                // `sender_code || ''` keep the planner from narrowing by the (kind, sender_code, …)
                // unique index instead — every declaration of that kind or sender, per message, on a
                // table whose statistics are stale (the plan is cached: a key look-up) — and
                // `OFFSET 0` from walking the primary key backwards for `ORDER BY id DESC LIMIT 1`
                // past every row when the key is new (the usual case).
                guard let row = try s.lookupOne("""
                    SELECT status, declaration_guid FROM (
                        SELECT id, status, declaration_guid FROM declarations
                        WHERE (cop_no = $2 OR order_no = $2 OR logistics_no = $2 OR invt_no = $2
                               OR pay_transaction_id = $2 OR bill_no = $2 OR declaration_guid = $2)
                          AND (kind || '') = $1 AND (sender_code || '') = $5
                          AND (dedup_key = $2 OR cop_no = $2 OR substr(dedup_key, 1, $4) = $3)
                        \(s.dialect.planningFence)
                    ) found
                    ORDER BY id DESC LIMIT 1
                    """, [.text(kind), .text(businessKey), .text(businessKey + "|"), .integer(Int64(businessKey.count + 1)), .text(senderCode)])
                else { return (.none, nil) }
                return (DeclarationPhase(status: row.string(0) ?? ""), row.string(1))
            }
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
