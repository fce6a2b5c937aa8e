import ClearanceRules

/// The key look-ups asked for every message posted to the service, each a ``CoalescedLookup``:
/// concurrent requests share one statement (`… WHERE key IN (…)`) instead of one each.
///
/// They capture the store's ``SessionEngine``, not the store, so the store they belong to is
/// released as before.
struct StoreLookups: Sendable {
    /// The enterprise of each live (unrevoked) API key, by the key's SHA-256 (lowercase hex).
    let enterpriseByKeyHash: CoalescedLookup<String, EnterpriseRecord>
    /// An enterprise by its code: the signer of every message (its registered certificate).
    let enterpriseByCode: CoalescedLookup<String, EnterpriseRecord>
    /// A message's stored answer (duplicate posts get it again), by message guid.
    let answerByGuid: CoalescedLookup<String, StoredAnswer>
    /// The status and guid of the newest declaration (or revision) of a kind with a business key
    /// from a sender: the life-cycle check of every declaration.
    let newestDeclaration: CoalescedLookup<BusinessKey, (status: String, declarationGuid: String)>
    /// A party's credit-list entry, by enterprise code.
    let creditByCode: CoalescedLookup<String, CreditEntry>
    /// The inventories awaiting documents that name an order or logistics number: each one's
    /// message guid and declaration guid.
    let awaitingByNumber: CoalescedLookup<AwaitedNumber, [(messageGuid: String, declarationGuid: String)]>

    /// A declaration's kind, business key (see `DeclarationRecord.businessKey`) and sender.
    struct BusinessKey: Hashable, Sendable {
        var kind: String
        var key: String
        var senderCode: String
    }

    /// A number a waiting inventory may name, and which of its two number columns it must be in.
    struct AwaitedNumber: Hashable, Sendable {
        /// Raw values as `awaited_numbers.number_kind` spells them (the column's name).
        enum Column: String, Hashable, Sendable { case orderNo = "order_no", logisticsNo = "logistics_no" }
        var column: Column
        var number: String
    }

    init(_ sessions: any SessionEngine, maxJobs: Int) {
        enterpriseByKeyHash = CoalescedLookup(maxJobs: maxJobs) { keys throws(StoreError) in
            try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(String, EnterpriseRecord)] in
                let params = paddedKeys(keys)
                return try s.lookup("""
                    SELECT k.key_hash, \(SQLStore.qualifiedEnterpriseColumns) FROM api_keys k JOIN enterprises e ON e.code = k.enterprise_code
                    WHERE k.key_hash IN (\(placeholders(params.count))) AND k.revoked_at IS NULL
                    """, params).map { (row: SQLRow) throws(StoreError) in
                    (try row.requireString(0, "api_keys.key_hash"), try SQLStore.enterprise(row, offset: 1))
                }
            }
        }
        enterpriseByCode = CoalescedLookup(maxJobs: maxJobs) { codes throws(StoreError) in
            try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(String, EnterpriseRecord)] in
                let params = paddedKeys(codes)
                return try s.lookup("SELECT \(SQLStore.enterpriseColumns) FROM enterprises WHERE code IN (\(placeholders(params.count)))",
                                    params).map { (row: SQLRow) throws(StoreError) in
                    let enterprise = try SQLStore.enterprise(row)
                    return (enterprise.code, enterprise)
                }
            }
        }
        answerByGuid = CoalescedLookup(maxJobs: maxJobs) { guids throws(StoreError) in
            try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(String, StoredAnswer)] in
                let params = paddedKeys(guids)
                return try s.lookup("""
                    SELECT guid, enterprise_code, http_status, body, created_at FROM message_answers
                    WHERE guid IN (\(placeholders(params.count)))
                    """, params).map { (row: SQLRow) throws(StoreError) in
                    let answer = try SQLStore.answer(row)
                    return (answer.guid, answer)
                }
            }
        }
        newestDeclaration = CoalescedLookup(maxJobs: maxJobs) { keys throws(StoreError) in
            try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(BusinessKey, (status: String, declarationGuid: String))] in
                // One row per key asked, padded by repeating the first: (kind, key, key + "|", sender,
                // key + "}", key + "#", key + "$"). The candidates come from `declaration_keys`, which is
                // not partitioned: the key itself, its revisions (`key|appType|guid`, and `|refused|…`
                // suffixes) and the parts of a split declaration (`copNo#partNo`) are three ranges of its
                // primary key (byte order: `COLLATE "C"`, migration 80), so the look-up costs the same
                // however many declarations partitions are attached. One branch per range, each an index
                // scan bounded on all three columns: as one `OR`, a plan cached while the table was small
                // walked every key of the sender and kind, filtering (31 ms a key with 100,000 stored).
                // Each candidate's row is then read by its id, in one partition
                // (``SQLDialect/declarationsByKey``), and kept under the conditions this look-up
                // always had: the key is the value of one of the number columns, and the dedup key is
                // the key, a revision of it, or the copNo is it.
                // Until 7 Dec the look-up probed seven number indexes in every partition: 0.35 ms a
                // call on 4 partitions, 3.9 ms on 18 (`bench_service.py --stored 5000000 --statements`).
                // The newest row's status and guid come back as one value: a status never holds `|`,
                // so the first one ends it.
                var found: [(BusinessKey, (status: String, declarationGuid: String))] = []
                for slice in keys.chunked(128) {
                    let rows = paddedToPowerOfTwo(Array(slice))
                    let tuples = rows.indices.map { "(\(placeholders(7, from: $0 * 7 + 1)))" }
                    let params: [SQLValue] = rows.flatMap {
                        [.text($0.kind), .text($0.key), .text($0.key + "|"), .text($0.senderCode),
                         .text($0.key + "}"), .text($0.key + "#"), .text($0.key + "$")]
                    }
                    for row in try s.lookup("""
                        SELECT q.column1, q.column2, q.column4, (
                            SELECT status || '|' || declaration_guid FROM (
                                SELECT d.id, d.status, d.declaration_guid FROM (
                                    SELECT declaration_id FROM declaration_keys
                                    WHERE kind = q.column1 AND sender_code = q.column4 AND dedup_key = q.column2
                                    UNION ALL SELECT declaration_id FROM declaration_keys
                                    WHERE kind = q.column1 AND sender_code = q.column4 AND dedup_key >= q.column3 AND dedup_key < q.column5
                                    UNION ALL SELECT declaration_id FROM declaration_keys
                                    WHERE kind = q.column1 AND sender_code = q.column4 AND dedup_key >= q.column6 AND dedup_key < q.column7
                                ) k \(s.dialect.declarationsByKey)
                                WHERE (d.cop_no = q.column2 OR d.order_no = q.column2 OR d.logistics_no = q.column2
                                       OR d.invt_no = q.column2 OR d.pay_transaction_id = q.column2 OR d.bill_no = q.column2
                                       OR d.declaration_guid = q.column2)
                                  AND (d.dedup_key = q.column2 OR d.cop_no = q.column2
                                       OR substr(d.dedup_key, 1, length(q.column3)) = q.column3)
                                \(s.dialect.planningFence)
                            ) newest
                            ORDER BY id DESC LIMIT 1)
                        FROM (VALUES \(tuples.joined(separator: ", "))) q
                        """, params) {
                        guard let newest = row.string(3), let bar = newest.firstIndex(of: "|") else { continue }
                        let key = BusinessKey(kind: try row.requireString(0, "kind"), key: try row.requireString(1, "key"),
                                              senderCode: try row.requireString(2, "sender_code"))
                        found.append((key, (String(newest[..<bar]), String(newest[newest.index(after: bar)...]))))
                    }
                }
                return found
            }
        }
        creditByCode = CoalescedLookup(maxJobs: maxJobs) { codes throws(StoreError) in
            try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(String, CreditEntry)] in
                var found: [(String, CreditEntry)] = []
                for slice in codes.sorted().chunked(128) {
                    let params = paddedKeys(Array(slice))
                    found += try s.lookup(
                        "SELECT code, grade, source, valid_from, valid_until FROM credit_list WHERE code IN (\(placeholders(params.count)))",
                        params
                    ).map { (r: SQLRow) throws(StoreError) in
                        let entry = try SQLStore.creditEntry(r)
                        return (entry.code, entry)
                    }
                }
                return found
            }
        }
        awaitingByNumber = CoalescedLookup(maxJobs: maxJobs) { keys throws(StoreError) in
            // Every single message asks this after its commit, and nearly always finds nothing.
            // `awaited_numbers` (migration 81) holds the numbers of the inventories waiting now, one
            // table whatever the partitions; its primary key starts with the number. The envelope
            // guid as a scalar sub-select, not a join: it planned in 0.08 ms instead of 0.27 ms.
            let asked = Set(keys)
            let numbers = Set(keys.map(\.number)).sorted()
            return try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> [(AwaitedNumber, [(messageGuid: String, declarationGuid: String)])] in
                var found: [AwaitedNumber: [(messageGuid: String, declarationGuid: String)]] = [:]
                for slice in numbers.chunked(128) {
                    let params = paddedKeys(Array(slice))
                    for row in try s.lookup("""
                        SELECT a.number, a.number_kind, (SELECT m.guid FROM message_keys m WHERE m.message_id = a.message_id), a.declaration_guid
                        FROM awaited_numbers a WHERE a.number IN (\(placeholders(params.count)))
                        """, params) {
                        guard let number = row.string(0), let column = row.string(1).flatMap(AwaitedNumber.Column.init(rawValue:)),
                              let message = row.string(2), let declaration = row.string(3) else { continue }
                        found[AwaitedNumber(column: column, number: number), default: []].append((message, declaration))
                    }
                }
                // A number asked only as the other kind is not the one found.
                return found.filter { asked.contains($0.key) }.map { ($0.key, $0.value) }
            }
        }
    }
}
