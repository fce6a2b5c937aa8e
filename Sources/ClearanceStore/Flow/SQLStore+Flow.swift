import ClearanceRules
import Foundation

extension SQLStore: ClearanceFlowStore {
    /// Validates the write on its own, then joins a group commit (``GroupCommit``): concurrent
    /// single messages share one transaction and one commit; each caller gets its own report.
    func ingestRouted(_ write: FlowWrite) async throws(StoreError) -> IngestReport {
        guard let masker = masker.get() else { throw .notMigrated }
        let prepared = try PreparedFlowWrite(write, masker: masker, now: StoreClock.milliseconds(.now))
        guard flowGroups.settings.enabled else { return try await writeRouted([prepared])[0] }
        return try await flowGroups.submit(prepared) { [self] group in await self.commitRouted(group) }
    }

    @discardableResult
    func advanceMessage(
        messageGuid: String, fromStatus: DeclarationStatus, toStatus: DeclarationStatus, events: [Event], routes: [OutboxRoute]
    ) async throws(StoreError) -> Int {
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> Int in
            try Self.moveMessage(s, messageGuid: messageGuid, from: fromStatus, to: toStatus, events: events, routes: routes,
                                 now: now, recordOnlyIfMoved: false)
        }
    }

    @discardableResult
    func refuseUnsignedMessage(messageGuid: String, fromStatus: DeclarationStatus, events: [Event]) async throws(StoreError) -> Int {
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> Int in
            try Self.moveMessage(s, messageGuid: messageGuid, from: fromStatus, to: .refused, events: events, routes: [],
                                 now: now, recordOnlyIfMoved: false, keySuffix: "|refused|" + messageGuid)
        }
    }

    /// In `s`'s transaction: moves the declarations of message `messageGuid` from `fromStatus` to
    /// `toStatus` and records `events` and `routes` (not at all when `recordOnlyIfMoved` and none moved);
    /// returns how many moved. Shared by ``advanceMessage``, ``refuseUnsignedMessage`` and the credit
    /// hold's resolution. `keySuffix` is appended to the moved declarations' dedup keys (freeing them).
    static func moveMessage(
        _ s: any SQLSession, messageGuid: String, from fromStatus: DeclarationStatus, to toStatus: DeclarationStatus,
        events: [Event], routes: [OutboxRoute], now: Int64, recordOnlyIfMoved: Bool, keySuffix: String? = nil
    ) throws(StoreError) -> Int {
        guard let row = try s.queryOne("SELECT message_id FROM message_keys WHERE guid = $1", [.text(messageGuid)]) else {
            throw .notFound("message \(messageGuid)")
        }
        let messageId = try row.requireInt64(0, "messages.id")
        let params: [SQLValue] = [.text(toStatus.rawValue), .integer(messageId), .text(fromStatus.rawValue)]
        let moved: Int
        if let keySuffix {
            // The keys move with the rows' dedup keys, which frees them for a declaration sent again.
            let ids = try s.query(Self.moveDeclarationsSQL(namedIds: 0, suffixingKeys: true) + " RETURNING id", params + [.text(keySuffix)])
                .map { (r: SQLRow) throws(StoreError) in try r.requireInt64(0, "declarations.id") }
            for chunk in ids.chunked(500) {
                try s.execute("UPDATE declaration_keys SET dedup_key = dedup_key || $1 WHERE declaration_id IN (\(placeholders(chunk.count, from: 2)))",
                              [.text(keySuffix)] + chunk.map { .integer($0) })
            }
            moved = ids.count
        } else {
            moved = try s.execute(Self.moveDeclarationsSQL(namedIds: 0), params)
        }
        if recordOnlyIfMoved && moved == 0 { return 0 }
        try Self.record(s, events: Self.eventRows(s, events, knownMessages: [messageGuid: messageId]),
                        routes: routes.map { (messageId, $0) }, now: now)
        return moved
    }

    /// Key probes and inserts only (the moves find declarations by guid, or a message's by its index):
    /// on cached plans. Planned afresh, a release's five statements took PostgreSQL longer to plan than to run.
    func advanceDocuments(_ advance: DocumentAdvance) async throws(StoreError) -> Int {
        let now = StoreClock.milliseconds(.now)
        return try await write(keyProbes: true) { (s: any SQLSession) throws(StoreError) -> Int in
            let messageId: Int64
            if let known = advance.messageId {
                messageId = known
            } else if let row = try s.queryOne("SELECT message_id FROM message_keys WHERE guid = $1", [.text(advance.messageGuid)]) {
                messageId = try row.requireInt64(0, "messages.id")
            } else {
                throw .notFound("message \(advance.messageGuid)")
            }
            var moved = 0
            // The named declarations' ids, for the events that name them (no look-up per event).
            var movedIds: [String: Int64] = [:]
            for (status, guids) in advance.moves {
                let unique = Array(Set(guids))
                var movedHere = 0
                for start in stride(from: 0, to: unique.count, by: 500) {
                    let ids = try Self.declarationIds(s, guids: unique[start..<min(start + 500, unique.count)])
                    guard !ids.isEmpty else { continue }
                    for row in try s.query(
                        Self.moveDeclarationsSQL(namedIds: ids.count) + " RETURNING declaration_guid, id",
                        [.text(status.rawValue), .integer(messageId), .text(advance.from.rawValue)] + ids.map { .integer($0) }) {
                        movedIds[try row.requireString(0, "declarations.declaration_guid")] = try row.requireInt64(1, "declarations.id")
                        movedHere += 1
                    }
                }
                // A named declaration no longer in `from` was taken by a concurrent forwarder: roll back.
                if movedHere < unique.count, moved + movedHere > 0 {
                    throw .conflict("declarations of \(advance.messageGuid) moved concurrently; nothing recorded")
                }
                moved += movedHere
            }
            if let rest = advance.rest {
                moved += try s.execute(
                    Self.moveDeclarationsSQL(namedIds: 0), [.text(rest.rawValue), .integer(messageId), .text(advance.from.rawValue)])
            }
            guard moved > 0 else { return 0 }
            if advance.from == .awaitingDocuments {
                // Released (or refused, or held): their kept ranges will not be read again.
                for slice in Array(Set(advance.moves.flatMap(\.guids))).chunked(500) {
                    try s.execute(Self.forgetRangesSQL(namedGuids: slice.count), [.integer(messageId)] + slice.map { .text($0) })
                }
            }
            try Self.record(s, events: Self.eventRows(s, advance.events, knownMessages: [advance.messageGuid: messageId],
                                                      knownDeclarations: movedIds),
                            routes: advance.routes.map { (messageId, $0) }, now: now)
            return moved
        }
    }

    /// Moves a message's declarations (`$2`) from status `$3` to `$1`; with `namedIds`, only those
    /// whose id is among `$4…` (found by guid: ``declarationIds(_:guids:)``); `suffixingKeys` appends
    /// the parameter after those to their dedup keys. `(status || '')` keeps the planner off the
    /// partial index of waiting inventories, cheap by statistics taken while few waited, which it
    /// would then walk whole (measured with 30,000 waiting: 601 pages and 3.2 ms a release). Named
    /// declarations are probed by id, each in the partition it names (`message_id + 0` keeps the
    /// planner off the message's index, which walks every declaration of a batch: 7 ms to release
    /// one inventory of a 20,000-inventory batch on SQLite, against 0.02 ms); all of them by the
    /// message's index.
    static func moveDeclarationsSQL(namedIds: Int, suffixingKeys: Bool = false) -> String {
        let set = suffixingKeys ? "status = $1, dedup_key = dedup_key || $\(namedIds + 4)" : "status = $1"
        guard namedIds > 0 else { return "UPDATE declarations SET \(set) WHERE message_id = $2 AND (status || '') = $3" }
        return "UPDATE declarations SET \(set) WHERE id IN (\(placeholders(namedIds, from: 4))) AND message_id + 0 = $2 AND (status || '') = $3"
    }

    /// The ids of the declarations stored under `guids` (`declaration_keys`, migration 83; a guid
    /// refused and sent again names both), so a statement that changes them names their ids: by
    /// `id IN ($…)` PostgreSQL probes only the partitions those ids name, where a sub-select left the
    /// join's order to the planner's statistics.
    static func declarationIds(_ s: any SQLSession, guids: some Collection<String>) throws(StoreError) -> [Int64] {
        try s.query("SELECT declaration_id FROM declaration_keys WHERE declaration_guid IN (\(placeholders(guids.count)))",
                    guids.map { .text($0) }).compactMap { $0.int64(0) }
    }

    /// Deletes the kept ranges of a message's (`$1`) declarations `$2…` (by the ranges' key).
    static func forgetRangesSQL(namedGuids: Int) -> String {
        "DELETE FROM document_ranges WHERE message_id = $1 AND declaration_guid IN (\(placeholders(namedGuids, from: 2)))"
    }

    func declarationGuids(messageGuid: String, status: DeclarationStatus) async throws(StoreError) -> Set<String> {
        try await session { (s: any SQLSession) throws(StoreError) -> Set<String> in
            // A key look-up (every release asks it): a cached generic plan cannot use the partial
            // index of waiting inventories, so it goes by the message's guid and index.
            Set(try s.lookup("""
                SELECT d.declaration_guid FROM declarations d JOIN message_keys m ON m.message_id = d.message_id
                WHERE m.guid = $1 AND d.status = $2
                """, [.text(messageGuid), .text(status.rawValue)]).compactMap { $0.string(0) })
        }
    }

    func saveDocumentRanges(messageGuid: String, frame: String, documents: [(guid: String, range: DocumentRange)]) async throws(StoreError) {
        try await write { (s: any SQLSession) throws(StoreError) in
            guard let messageId = try s.lookup("SELECT message_id FROM message_keys WHERE guid = $1", [.text(messageGuid)]).first?.int64(0) else {
                throw .notFound("message \(messageGuid)")
            }
            try s.execute("INSERT INTO message_frames (message_id, frame) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING",
                          [.integer(messageId), .text(frame)])
            // 200 documents a statement: a batch may have 100,000 waiting.
            for chunk in documents.chunked(200) {
                try s.execute("""
                    INSERT INTO document_ranges (message_id, declaration_guid, document_no, start_offset, end_offset)
                    VALUES \(RowInsertWriter.tuples(rows: chunk.count, width: 5)) ON CONFLICT (message_id, declaration_guid) DO NOTHING
                    """, chunk.flatMap { document -> [SQLValue] in
                    [.integer(messageId), .text(document.guid), .integer(Int64(document.range.index)),
                     .integer(Int64(document.range.start)), .integer(Int64(document.range.end))]
                })
            }
        }
    }

    func documentRanges(messageGuid: String, status: DeclarationStatus, among: Set<String>)
        async throws(StoreError) -> KeptDocuments {
        try await session { (s: any SQLSession) throws(StoreError) -> KeptDocuments in
            var frame: String?
            var messageId: Int64?
            var documents: [String: DocumentRange?] = [:]
            for (n, chunk) in among.sorted().chunked(500).enumerated() {
                // The frame comes with the first chunk's rows (a release names one inventory or a
                // few: one statement).
                for row in try s.lookup(Self.keptRangesSQL(s.dialect, namedGuids: chunk.count, withFrame: n == 0),
                                        [.text(messageGuid), .text(status.rawValue)] + chunk.map { .text($0) }) {
                    guard let guid = row.string(0) else { continue }
                    messageId = row.int64(4)
                    if n == 0, frame == nil { frame = row.string(5) }
                    if let index = row.int64(1), let low = row.int64(2), let high = row.int64(3) {
                        documents[guid] = DocumentRange(index: Int(index), start: Int(low), end: Int(high))
                    } else {
                        documents[guid] = .some(nil)
                    }
                }
            }
            return KeptDocuments(frame: frame, documents: documents, messageId: messageId)
        }
    }

    /// The kept ranges of message `$1`'s declarations in status `$2` named by guid (`$3…`), and with
    /// `withFrame` the message's frame: one key look-up. The declarations are found by guid in
    /// `declaration_keys`, each then by id, and kept when of the message (`message_id + 0`, as in
    /// ``moveDeclarationsSQL(namedIds:suffixingKeys:)``, keeps SQLite off the message's index, which
    /// walks every declaration of a batch) and in the status (a parameter, so no partial index).
    static func keptRangesSQL(_ dialect: SQLDialect, namedGuids: Int, withFrame: Bool) -> String {
        """
        SELECT d.declaration_guid, r.document_no, r.start_offset, r.end_offset, d.message_id, \(withFrame ? "f.frame" : "NULL")
        FROM declaration_keys k \(dialect.declarationsByKey)
        LEFT JOIN document_ranges r ON r.message_id = d.message_id AND r.declaration_guid = d.declaration_guid
        \(withFrame ? "LEFT JOIN message_frames f ON f.message_id = d.message_id" : "")
        WHERE k.declaration_guid IN (\(placeholders(namedGuids, from: 3)))
          AND d.message_id + 0 = (SELECT message_id FROM message_keys WHERE guid = $1) AND d.status = $2
        """
    }

    func awaitingInventories(orderNo: String?, logisticsNo: String?) async throws(StoreError) -> [String: Set<String>] {
        let keys = [orderNo.map { StoreLookups.AwaitedNumber(column: .orderNo, number: $0) },
                    logisticsNo.map { StoreLookups.AwaitedNumber(column: .logisticsNo, number: $0) }].compactMap { $0 }
        var found: [String: Set<String>] = [:]
        for inventories in try await lookups.awaitingByNumber.values(for: keys).values {
            for (message, declaration) in inventories { found[message, default: []].insert(declaration) }
        }
        return found
    }

    func awaitingInventories(namedBy messageGuid: String) async throws(StoreError) -> [String: Set<String>] {
        try await session { (s: any SQLSession) throws(StoreError) -> [String: Set<String>] in
            // Only the documents an inventory waits for release it (a batch of inventories names
            // its own waiting inventories' numbers, and must not release them). Driven from the
            // message's own documents, one probe of `awaited_numbers` for each of their numbers.
            Self.byMessage(try s.query(Self.awaitingNamedBySQL, [.text(messageGuid)]))
        }
    }

    func completedWaitingInventories(after id: Int64, touchedAfter: Int64, limit: Int) async throws(StoreError) -> [(id: Int64, messageGuid: String, declarationGuid: String)] {
        try await session { (s: any SQLSession) throws(StoreError) -> [(id: Int64, messageGuid: String, declarationGuid: String)] in
            let params: [SQLValue] = [.integer(id), .integer(Int64(max(1, limit))), .integer(touchedAfter)]
            let rows = s.dialect == .postgresql
                ? try s.writeTransaction { () throws(StoreError) -> [SQLRow] in
                    try s.executeScript(Self.completedWaitingSettings)
                    return try s.query(Self.completedWaitingSQL(s.dialect), params)
                }
                : try s.query(Self.completedWaitingSQL(s.dialect), params)
            return try rows.map { (row: SQLRow) throws(StoreError) in
                (try row.requireInt64(0, "declarations.id"), try row.requireString(1, "messages.guid"), try row.requireString(2, "declaration_guid"))
            }
        }
    }

    /// What ``completedWaitingSQL(_:)`` runs under on PostgreSQL, for its transaction: a page in id
    /// order merges each partition's walk of its waiting inventories (`Merge Append`). With a default
    /// partition, PostgreSQL cannot append the partitions in order, and on statistics taken while few
    /// waited it sorted every waiting inventory for each page of 1,000 instead.
    static let completedWaitingSettings = "SET LOCAL enable_sort = off"

    /// ``completedWaitingInventories(after:touchedAfter:limit:)``: walks the partial index of waiting
    /// inventories once (the status is a literal, so SQLite uses it too) with a few number look-ups
    /// each, whatever the history. On PostgreSQL `OFFSET 0` keeps each `EXISTS` a per-row probe (a
    /// semi-join could start from every stored payment instead; a first run right after a bulk load,
    /// without statistics, took 340 s for 100,000 waiting inventories when a probe walked all payments
    /// by kind). Each probe reads `linked_numbers`' key (number, kind), then the document by id in the
    /// one partition its id names, not a number's index in every partition. SQLite runs `EXISTS` per row as it is. The
    /// message's guid is a sub-select, not a join: joined, the planner put the (few) message keys
    /// first and read every waiting inventory of every partition, then sorted them, for each page.
    static func completedWaitingSQL(_ dialect: SQLDialect) -> String {
        let counted = "NOT IN ('\(DeclarationStatus.refused)', '\(DeclarationStatus.deleted)', '\(DeclarationStatus.held)')"
        let probe = dialect == .postgresql ? " OFFSET 0)" : ")"
        /// A counted document of `kind` linked by `number` (`linked_numbers`, then each by id: one partition).
        func linked(_ number: String, _ kind: String) -> String {
            """
            EXISTS (SELECT 1 FROM linked_numbers n JOIN declarations o ON o.id = n.declaration_id
                    WHERE n.number = \(number) AND n.kind = '\(kind)' AND o.status \(counted)\(probe)
            """
        }
        return """
            SELECT d.id, (SELECT m.guid FROM message_keys m WHERE m.message_id = d.message_id), d.declaration_guid FROM declarations d
            WHERE d.kind = 'inventory' AND d.status = '\(DeclarationStatus.awaitingDocuments)' AND d.id > $1
              AND \(linked("d.order_no", "order"))
              AND \(linked("d.order_no", "payment"))
              AND \(linked("d.logistics_no", "logistics"))
              AND (d.id > $3
                   OR EXISTS (SELECT 1 FROM linked_numbers n WHERE n.number = d.order_no AND n.kind IN ('order', 'payment') AND n.declaration_id > $3\(probe)
                   OR EXISTS (SELECT 1 FROM linked_numbers n WHERE n.number = d.logistics_no AND n.kind = 'logistics' AND n.declaration_id > $3\(probe))
            ORDER BY d.id LIMIT $2
            """
    }

    func latestDeclarationId() async throws(StoreError) -> Int64 {
        try await session { (s: any SQLSession) throws(StoreError) -> Int64 in
            try s.queryOne("SELECT MAX(id) FROM declarations", [])?.int64(0) ?? 0
        }
    }

    /// The inventories waiting on the documents of message `$1` (``awaitingInventories(namedBy:)``).
    static let awaitingNamedBySQL = """
        SELECT m.guid, a.declaration_guid FROM message_keys nm JOIN declarations n ON n.message_id = nm.message_id
          JOIN awaited_numbers a ON a.number = n.order_no AND a.number_kind = 'order_no' JOIN message_keys m ON m.message_id = a.message_id
        WHERE nm.guid = $1 AND n.kind IN ('order', 'payment')
        UNION ALL
        SELECT m.guid, a.declaration_guid FROM message_keys nm JOIN declarations n ON n.message_id = nm.message_id
          JOIN awaited_numbers a ON a.number = n.logistics_no AND a.number_kind = 'logistics_no' JOIN message_keys m ON m.message_id = a.message_id
        WHERE nm.guid = $1 AND n.kind = 'logistics'
        """

    /// Rows of (envelope guid, head guid) grouped by envelope.
    static func byMessage(_ rows: [SQLRow]) -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        for row in rows {
            guard let message = row.string(0), let declaration = row.string(1) else { continue }
            found[message, default: []].insert(declaration)
        }
        return found
    }

    func declarationStatus(declarationGuid: String) async throws(StoreError) -> DeclarationStatus? {
        try await session { (s: any SQLSession) throws(StoreError) -> DeclarationStatus? in
            try s.lookupOne("""
                SELECT status FROM declarations WHERE id = (
                    SELECT MAX(k.declaration_id) FROM declaration_keys k \(s.dialect.declarationsByKey) WHERE k.declaration_guid = $1)
                """, [.text(declarationGuid)])?.string(0).map { DeclarationStatus($0) }
        }
    }

    func routedDestinations(messageGuid: String) async throws(StoreError) -> [String] {
        try await session { (s: any SQLSession) throws(StoreError) -> [String] in
            try s.lookup("SELECT destination FROM outbox WHERE message_id = (SELECT message_id FROM message_keys WHERE guid = $1) ORDER BY id",
                        [.text(messageGuid)]).compactMap { $0.string(0) }
        }
    }

    // MARK: Helpers

    /// Records events and queues the messages' routes, the events and the routes' `routed` events in
    /// one multi-row statement (routes that append parts need the queue as it stands: each reads it
    /// first, after the others).
    static func record(_ s: any SQLSession, events: [EventRow], routes: [(messageId: Int64, route: OutboxRoute)], now: Int64) throws(StoreError) {
        try insertRoutes(s, routes.filter { !$0.route.appendsParts }.map { ($0.messageId, $0.route, 0) }, now: now, after: events)
        for (messageId, route) in routes where route.appendsParts { try insertRoute(s, messageId: messageId, route: route, now: now) }
    }

    /// Queues one row per part of the route (one row, part 0, when the message goes whole); rows
    /// already queued for the same (message, destination, part) are left as they are.
    static func insertRoute(_ s: any SQLSession, messageId: Int64, route: OutboxRoute, now: Int64) throws(StoreError) {
        var offset = 0
        if route.appendsParts {
            offset = Int(try s.queryOne(
                "SELECT COALESCE(MAX(part_no), 0) FROM outbox WHERE message_id = $1 AND destination = $2",
                [.integer(messageId), .text(route.destination)])?.int64(0) ?? 0)
        }
        try insertRoutes(s, [(messageId, route, offset)], now: now)
    }

    /// Queues the rows of several routes with multi-row statements, parts numbered after
    /// `partOffset`, and a `routed` event for each row actually queued (rows already queued for
    /// the same (message, destination, part) are left as they are and get none), inserted after
    /// `events` in the same statements.
    static func insertRoutes(
        _ s: any SQLSession, _ routes: [(messageId: Int64, route: OutboxRoute, partOffset: Int)], now: Int64, after events: [EventRow] = []
    ) throws(StoreError) {
        var rows: [[SQLValue]] = []
        for (messageId, route, offset) in routes {
            let parts: [OutboxPart?] = route.parts.isEmpty ? [nil] : route.parts.map {
                OutboxPart(number: $0.number + offset, count: $0.count + offset, plan: $0.plan)
            }
            for part in parts {
                rows.append([.integer(messageId), .text(route.destination), .integer(now), .optional(route.orderKey),
                             .optional(route.logisticsKey), .integer(Int64(part?.number ?? 0)), .integer(Int64(part?.count ?? 0)),
                             .optional(part?.plan)])
            }
        }
        var queued: [(id: Int64, event: EventRow)] = []
        for group in rows.chunked(RowInsertWriter.linesPerStatement) {
            let tuples = (0..<group.count).map { r in
                let b = r * 8
                return "($\(b + 1), $\(b + 2), 'pending', 0, $\(b + 3), $\(b + 3), $\(b + 3), $\(b + 4), $\(b + 5), $\(b + 6), $\(b + 7), $\(b + 8))"
            }
            for row in try s.query("""
                INSERT INTO outbox (message_id, destination, status, attempts, next_attempt_at, created_at, updated_at, order_key, logistics_key,
                                    part_no, part_count, part_plan)
                VALUES \(tuples.joined(separator: ", "))
                ON CONFLICT (message_id, destination, part_no) DO NOTHING
                RETURNING id, message_id, destination, part_no, part_count
                """, group.flatMap { $0 }) {
                let partNo = row.int64(3).map { Int($0) }, partCount = row.int64(4).map { Int($0) }
                queued.append((try row.requireInt64(0, "outbox.id"), EventRow(
                    kind: .routed, occurredAt: now, messageId: try row.requireInt64(1, "outbox.message_id"),
                    detail: outboxDetail(destination: row.string(2), partNo: partNo, partCount: partCount))))
            }
        }
        try insertEvents(s, events + queued.sorted { $0.id < $1.id }.map(\.event), now: now)
        if !queued.isEmpty { s.queuedOutbox = true }
    }
}
