import ClearanceRules
import Foundation

extension SQLStore: CreditStore {
    /// Rows per multi-row INSERT (5 parameters each): few round trips on PostgreSQL, well under
    /// SQLite's parameter limit.
    static let creditRowsPerStatement = 200

    @discardableResult
    func replaceCreditList(_ entries: [CreditEntry], record: CreditImport) async throws(StoreError) -> CreditImport {
        var codes: Set<String> = []
        for entry in entries where !codes.insert(entry.code).inserted {
            throw .invalidInput("code \(entry.code) is listed twice")
        }
        return try await write { (s: any SQLSession) throws(StoreError) -> CreditImport in
            guard let row = try s.queryOne("""
                INSERT INTO credit_imports (imported_at, actor, file_name, file_sha256, entries, grades)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                """, [.time(record.importedAt), .text(record.actor), .text(record.fileName), .text(record.fileSHA256),
                      .integer(Int64(record.entries)), .text(Self.encodeGrades(record.grades))])
            else { throw .notFound("credit import right after insert") }
            var saved = record
            saved.id = try row.requireInt64(0, "credit_imports.id")
            _ = try s.execute("DELETE FROM credit_list", [])
            var start = entries.startIndex
            while start < entries.endIndex {
                let end = min(start + Self.creditRowsPerStatement, entries.endIndex)
                var params: [SQLValue] = []
                var tuples: [String] = []
                for entry in entries[start..<end] {
                    tuples.append("(\(placeholders(5, from: params.count + 1)), \(saved.id))")
                    params += [.text(entry.code), .text(entry.grade.rawValue), .text(entry.source),
                               .optionalTime(entry.validFrom), .optionalTime(entry.validUntil)]
                }
                _ = try s.execute(
                    "INSERT INTO credit_list (code, grade, source, valid_from, valid_until, import_id) VALUES " + tuples.joined(separator: ", "),
                    params)
                start = end
            }
            _ = try s.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
                [.time(record.importedAt), .text(record.actor), .text("credit.import"), .text(record.fileSHA256),
                 .text("\(record.fileName): \(record.entries) entries (\(record.gradeSummary)); import \(saved.id)")])
            return saved
        }
    }

    func creditEntries(codes: Set<String>) async throws(StoreError) -> [CreditEntry] {
        try await lookups.creditByCode.values(for: codes.sorted()).values.sorted { $0.code < $1.code }
    }

    func creditList(limit: Int) async throws(StoreError) -> [CreditEntry] {
        try await session { (s: any SQLSession) throws(StoreError) -> [CreditEntry] in
            try s.query(
                "SELECT code, grade, source, valid_from, valid_until FROM credit_list ORDER BY code LIMIT $1",
                [.integer(Int64(max(0, limit)))]
            ).map { (r: SQLRow) throws(StoreError) in try Self.creditEntry(r) }
        }
    }

    func creditImports(limit: Int) async throws(StoreError) -> [CreditImport] {
        try await session { (s: any SQLSession) throws(StoreError) -> [CreditImport] in
            try s.query(
                "SELECT id, imported_at, actor, file_name, file_sha256, entries, grades FROM credit_imports ORDER BY id DESC LIMIT $1",
                [.integer(Int64(max(0, limit)))]
            ).map { (r: SQLRow) throws(StoreError) in
                CreditImport(
                    id: try r.requireInt64(0, "id"), importedAt: r.date(1) ?? .distantPast, actor: try r.requireString(2, "actor"),
                    fileName: try r.requireString(3, "file_name"), fileSHA256: try r.requireString(4, "file_sha256"),
                    entries: r.int(5) ?? 0, grades: Self.decodeGrades(r.string(6) ?? ""))
            }
        }
    }

    func resolveHold(
        messageGuid: String, toStatus: DeclarationStatus, events: [Event], routes: [OutboxRoute], audit: AuditEntry
    ) async throws(StoreError) -> Int {
        let now = StoreClock.milliseconds(.now)
        return try await write { (s: any SQLSession) throws(StoreError) -> Int in
            let moved = try Self.moveMessage(s, messageGuid: messageGuid, from: .held, to: toStatus, events: events, routes: routes,
                                             now: now, recordOnlyIfMoved: true)
            guard moved > 0 else { return 0 }
            _ = try s.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
                [.time(audit.at), .text(audit.actor), .text(audit.action), .text(audit.target), .optional(audit.detail)])
            return moved
        }
    }

    // The status is written into the SQL, not bound: SQLite uses the partial index only for a literal.
    func heldMessages(limit: Int) async throws(StoreError) -> [HeldMessage] {
        try await session { (s: any SQLSession) throws(StoreError) -> [HeldMessage] in
            let rows = try s.query("""
                SELECT m.id, m.guid, m.message_type, m.sender_code, COUNT(*) FROM declarations d JOIN messages m ON m.id = d.message_id
                WHERE d.status = '\(DeclarationStatus.held)'
                GROUP BY m.id, m.guid, m.message_type, m.sender_code ORDER BY m.id LIMIT $1
                """, [.integer(Int64(max(0, limit)))])
            var held: [HeldMessage] = []
            for row in rows {
                let id = try row.requireInt64(0, "messages.id")
                let events = try s.query("""
                    SELECT e.occurred_at, e.code, e.detail FROM events e LEFT JOIN declarations d ON d.id = e.declaration_id
                    WHERE (e.message_id = $1 OR d.message_id = $1) AND e.kind IN ($2, $3) ORDER BY e.id
                    """, [.integer(id), .text(EventKind.creditHold.rawValue), .text(EventKind.releaseFailed.rawValue)])
                var reasons: [String] = []
                for event in events {
                    let reason = [event.string(1), event.string(2)].compactMap { $0 }.joined(separator: " ")
                    if !reasons.contains(reason) { reasons.append(reason) }
                }
                held.append(HeldMessage(
                    guid: try row.requireString(1, "guid"), messageType: try row.requireString(2, "message_type"),
                    senderCode: row.string(3) ?? "", declarations: row.int(4) ?? 0, heldAt: events.first?.date(0), reasons: reasons))
            }
            return held
        }
    }

    // MARK: Helpers

    static func creditEntry(_ r: SQLRow) throws(StoreError) -> CreditEntry {
        let gradeText = try r.requireString(1, "credit_list.grade")
        guard let grade = CreditGrade(rawValue: gradeText) else {
            throw .invalidInput("credit_list holds an unknown grade '\(gradeText)'")
        }
        return CreditEntry(code: try r.requireString(0, "credit_list.code"), grade: grade, source: r.string(2) ?? "",
                           validFrom: r.date(3), validUntil: r.date(4))
    }

    static func encodeGrades(_ grades: [CreditGrade: Int]) -> String {
        CreditGrade.allCases.map { "\($0.rawValue)=\(grades[$0] ?? 0)" }.joined(separator: ";")
    }

    static func decodeGrades(_ text: String) -> [CreditGrade: Int] {
        var grades: [CreditGrade: Int] = [:]
        for pair in text.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let grade = CreditGrade(rawValue: String(parts[0])), let n = Int(parts[1]), n > 0 { grades[grade] = n }
        }
        return grades
    }
}
