import Foundation

extension SQLStore: AccessStore {
    func accessWrite<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await sessions.withSession { (s: any SQLSession) throws(StoreError) -> T in
            try s.writeTransaction { () throws(StoreError) -> T in try body(s) }
        }
    }

    func accessRead<T: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await sessions.withSession(body)
    }

    // MARK: Enterprises

    static let enterpriseColumns = """
        code, name, role, require_signature, certificate_pem, max_batch_bytes, webhook_url, created_at, client_cert_sha256, \
        webhook_secret, authority, webhook_allow_private
        """

    /// ``enterpriseColumns`` of the table aliased `e`.
    static let qualifiedEnterpriseColumns = enterpriseColumns.split(separator: ",")
        .map { "e." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    static func enterprise(_ r: SQLRow, offset o: Int = 0) throws(StoreError) -> EnterpriseRecord {
        let role = try r.requireString(o + 2, "enterprises.role")
        let authority = try r.string(o + 10).map { (raw: String) throws(StoreError) -> AuthorityKind in
            guard let kind = AuthorityKind(rawValue: raw) else { throw .invalidInput("unknown authority \(raw)") }
            return kind
        }
        guard let parsed = authority == nil ? EnterpriseRole(rawValue: role) : .authority else {
            throw .invalidInput("unknown enterprise role \(role)")
        }
        return EnterpriseRecord(
            code: try r.requireString(o, "enterprises.code"), name: try r.requireString(o + 1, "enterprises.name"),
            role: parsed, requireSignature: r.int(o + 3) == 1, certificatePEM: r.string(o + 4),
            maxBatchBytes: r.int64(o + 5), webhookURL: r.string(o + 6), webhookSecret: r.string(o + 9),
            clientCertificateSHA256: r.string(o + 8), authority: authority,
            createdAt: r.date(o + 7) ?? .distantPast, webhookAllowPrivate: r.int(o + 11) == 1)
    }

    func upsertEnterprise(_ e: EnterpriseRecord) async throws(StoreError) {
        guard !e.code.isEmpty else { throw .invalidInput("an enterprise needs a code") }
        try await accessWrite { (s: any SQLSession) throws(StoreError) in
            _ = try s.execute("""
                INSERT INTO enterprises (\(Self.enterpriseColumns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, role = excluded.role, authority = excluded.authority,
                    webhook_allow_private = excluded.webhook_allow_private,
                    require_signature = excluded.require_signature, certificate_pem = excluded.certificate_pem,
                    max_batch_bytes = excluded.max_batch_bytes, webhook_url = excluded.webhook_url,
                    client_cert_sha256 = excluded.client_cert_sha256, webhook_secret = excluded.webhook_secret
                """, [
                    // Authorities are `system` rows with `authority` set (see ``EnterpriseRole/authority``).
                    .text(e.code), .text(e.name),
                    .text(e.role == .authority ? EnterpriseRole.system.rawValue : e.role.rawValue), .integer(e.requireSignature ? 1 : 0),
                    .optional(e.certificatePEM), .optional(e.maxBatchBytes), .optional(e.webhookURL), .time(e.createdAt),
                    .optional(e.clientCertificateSHA256?.lowercased()), .optional(e.webhookSecret),
                    .optional(e.role == .authority ? (e.authority ?? .customs).rawValue : nil),
                    .integer(e.webhookAllowPrivate ? 1 : 0),
                ])
        }
    }

    func enterprise(code: String) async throws(StoreError) -> EnterpriseRecord? {
        // Every message asks it (its signer): concurrent asks share one statement.
        try await lookups.enterpriseByCode.value(for: code)
    }

    func enterprises() async throws(StoreError) -> [EnterpriseRecord] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [EnterpriseRecord] in
            try s.query("SELECT \(Self.enterpriseColumns) FROM enterprises ORDER BY code", [])
                .map { (row: SQLRow) throws(StoreError) in try Self.enterprise(row) }
        }
    }

    func enterprise(clientCertificateSHA256 digest: String) async throws(StoreError) -> EnterpriseRecord? {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> EnterpriseRecord? in
            guard let row = try s.queryOne(
                "SELECT \(Self.enterpriseColumns) FROM enterprises WHERE client_cert_sha256 = $1", [.text(digest.lowercased())])
            else { return nil }
            return try Self.enterprise(row)
        }
    }

    // MARK: API keys

    private static func apiKey(_ r: SQLRow) throws(StoreError) -> APIKeyRecord {
        APIKeyRecord(
            id: try r.requireInt64(0, "api_keys.id"), enterpriseCode: try r.requireString(1, "api_keys.enterprise_code"),
            prefix: try r.requireString(2, "api_keys.prefix"), createdAt: r.date(3) ?? .distantPast, revokedAt: r.date(4))
    }

    func createAPIKey(enterpriseCode: String, keyHash: String, prefix: String, now: Date) async throws(StoreError) -> APIKeyRecord {
        guard keyHash.count == 64 else { throw .invalidInput("an API key hash is 64 hex characters") }
        return try await accessWrite { (s: any SQLSession) throws(StoreError) -> APIKeyRecord in
            guard try s.queryOne("SELECT 1 FROM enterprises WHERE code = $1", [.text(enterpriseCode)]) != nil else {
                throw .notFound("enterprise \(enterpriseCode)")
            }
            guard let row = try s.queryOne("""
                INSERT INTO api_keys (enterprise_code, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4)
                RETURNING id, enterprise_code, prefix, created_at, revoked_at
                """, [.text(enterpriseCode), .text(keyHash.lowercased()), .text(prefix), .time(now)])
            else { throw .notFound("api key right after insert") }
            return try Self.apiKey(row)
        }
    }

    func revokeAPIKey(enterpriseCode: String, prefix: String, now: Date) async throws(StoreError) -> Int {
        try await accessWrite { (s: any SQLSession) throws(StoreError) -> Int in
            try s.execute(
                "UPDATE api_keys SET revoked_at = $3 WHERE enterprise_code = $1 AND prefix = $2 AND revoked_at IS NULL",
                [.text(enterpriseCode), .text(prefix), .time(now)])
        }
    }

    func apiKeys(enterpriseCode: String) async throws(StoreError) -> [APIKeyRecord] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [APIKeyRecord] in
            try s.query("""
                SELECT id, enterprise_code, prefix, created_at, revoked_at FROM api_keys
                WHERE enterprise_code = $1 ORDER BY id DESC
                """, [.text(enterpriseCode)]).map { (row: SQLRow) throws(StoreError) in try Self.apiKey(row) }
        }
    }

    func enterprise(apiKeyHash: String) async throws(StoreError) -> EnterpriseRecord? {
        try await lookups.enterpriseByKeyHash.value(for: apiKeyHash.lowercased())
    }

    // MARK: Batches

    private static let batchColumns = """
        id, enterprise_code, status, bytes, documents, invalid_documents, declarations_inserted,
        declarations_skipped, receipts_inserted, error_count, warning_count, message_guid, message_type, failure,
        created_at, updated_at, routing, signature
        """

    private static func batch(_ r: SQLRow) throws(StoreError) -> BatchRecord {
        let status = try r.requireString(2, "batches.status")
        guard let parsed = BatchRecord.Status(rawValue: status) else { throw .invalidInput("unknown batch status \(status)") }
        var b = BatchRecord(id: try r.requireString(0, "batches.id"), enterpriseCode: try r.requireString(1, "batches.enterprise_code"))
        b.status = parsed
        b.bytes = r.int64(3) ?? 0
        b.documents = r.int(4) ?? 0
        b.invalidDocuments = r.int(5) ?? 0
        b.declarationsInserted = r.int(6) ?? 0
        b.declarationsSkipped = r.int(7) ?? 0
        b.receiptsInserted = r.int(8) ?? 0
        b.errorCount = r.int(9) ?? 0
        b.warningCount = r.int(10) ?? 0
        b.messageGuid = r.string(11)
        b.messageType = r.string(12)
        b.failure = r.string(13)
        b.createdAt = r.date(14) ?? .distantPast
        b.updatedAt = r.date(15) ?? .distantPast
        b.routing = r.string(16)
        b.signature = r.string(17)
        return b
    }

    func saveBatch(_ b: BatchRecord) async throws(StoreError) {
        try await accessWrite { (s: any SQLSession) throws(StoreError) in
            _ = try s.execute("""
                INSERT INTO batches (\(Self.batchColumns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, bytes = excluded.bytes,
                    documents = excluded.documents, invalid_documents = excluded.invalid_documents,
                    declarations_inserted = excluded.declarations_inserted,
                    declarations_skipped = excluded.declarations_skipped, receipts_inserted = excluded.receipts_inserted,
                    error_count = excluded.error_count, warning_count = excluded.warning_count,
                    message_guid = excluded.message_guid, message_type = excluded.message_type,
                    failure = excluded.failure, updated_at = excluded.updated_at, routing = excluded.routing,
                    signature = excluded.signature
                """, [
                    .text(b.id), .text(b.enterpriseCode), .text(b.status.rawValue), .integer(b.bytes),
                    .integer(Int64(b.documents)), .integer(Int64(b.invalidDocuments)), .integer(Int64(b.declarationsInserted)),
                    .integer(Int64(b.declarationsSkipped)), .integer(Int64(b.receiptsInserted)), .integer(Int64(b.errorCount)),
                    .integer(Int64(b.warningCount)), .optional(b.messageGuid), .optional(b.messageType), .optional(b.failure),
                    .time(b.createdAt), .time(b.updatedAt), .optional(b.routing), .optional(b.signature),
                ])
        }
    }

    func batch(id: String) async throws(StoreError) -> BatchRecord? {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> BatchRecord? in
            try s.queryOne("SELECT \(Self.batchColumns) FROM batches WHERE id = $1", [.text(id)])
                .map { (row: SQLRow) throws(StoreError) in try Self.batch(row) }
        }
    }

    func batches(enterpriseCode: String?, limit: Int) async throws(StoreError) -> [BatchRecord] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [BatchRecord] in
            try s.query("""
                SELECT \(Self.batchColumns) FROM batches WHERE (CAST($1 AS TEXT) IS NULL OR enterprise_code = $1)
                ORDER BY created_at DESC, id LIMIT $2
                """, [.optional(enterpriseCode), .integer(Int64(max(0, limit)))])
                .map { (row: SQLRow) throws(StoreError) in try Self.batch(row) }
        }
    }

    func addBatchErrors(_ errors: [BatchErrorRecord]) async throws(StoreError) {
        guard !errors.isEmpty else { return }
        try await accessWrite { (s: any SQLSession) throws(StoreError) in
            for e in errors {
                _ = try s.execute("""
                    INSERT INTO batch_errors (batch_id, document_index, record_key, line, col, code, severity, field, message)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    """, [
                        .text(e.batchId), .integer(Int64(e.documentIndex)), .optional(e.recordKey), .integer(Int64(e.line)),
                        .integer(Int64(e.column)), .text(e.code), .text(e.severity), .optional(e.field), .text(e.message),
                    ])
            }
        }
    }

    func declarationCounts(messageGuid: String) async throws(StoreError) -> [DeclarationStatus: Int] {
        try await session { (s: any SQLSession) throws(StoreError) -> [DeclarationStatus: Int] in
            var counts: [DeclarationStatus: Int] = [:]
            for row in try s.query("""
                SELECT d.status, COUNT(*) FROM declarations d JOIN message_keys m ON m.message_id = d.message_id
                WHERE m.guid = $1 GROUP BY d.status
                """, [.text(messageGuid)]) {
                counts[DeclarationStatus(try row.requireString(0, "status"))] = row.int(1) ?? 0
            }
            return counts
        }
    }

    func declarations(messageGuid: String, status: DeclarationStatus?, offset: Int, limit: Int) async throws(StoreError) -> [DeclarationSummary] {
        try await session { (s: any SQLSession) throws(StoreError) -> [DeclarationSummary] in
            let ids = try s.query("""
                SELECT d.id FROM declarations d JOIN message_keys m ON m.message_id = d.message_id
                WHERE m.guid = $1 AND (CAST($2 AS TEXT) IS NULL OR d.status = $2)
                ORDER BY d.id LIMIT $3 OFFSET $4
                """, [.text(messageGuid), .optional(status?.rawValue), .integer(Int64(limit)), .integer(Int64(offset))])
                .compactMap { $0.int64(0) }
            return try ShipmentTracer(session: s).loadDeclarations(ids)
        }
    }

    func batchErrors(batchId: String, offset: Int, limit: Int) async throws(StoreError) -> [BatchErrorRecord] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [BatchErrorRecord] in
            try s.query("""
                SELECT batch_id, document_index, record_key, line, col, code, severity, field, message
                FROM batch_errors WHERE batch_id = $1 ORDER BY id LIMIT $2 OFFSET $3
                """, [.text(batchId), .integer(Int64(max(0, limit))), .integer(Int64(max(0, offset)))]
            ).map { (r: SQLRow) throws(StoreError) in
                BatchErrorRecord(
                    batchId: try r.requireString(0, "batch_id"), documentIndex: r.int(1) ?? 0, recordKey: r.string(2),
                    line: r.int(3) ?? 0, column: r.int(4) ?? 0, code: try r.requireString(5, "code"),
                    severity: try r.requireString(6, "severity"), field: r.string(7), message: try r.requireString(8, "message"))
            }
        }
    }

    // MARK: Answers

    static func answer(_ r: SQLRow) throws(StoreError) -> StoredAnswer {
        StoredAnswer(
            guid: try r.requireString(0, "guid"), enterpriseCode: try r.requireString(1, "enterprise_code"),
            httpStatus: r.int(2) ?? 0, body: try r.requireString(3, "body"), createdAt: r.date(4) ?? .distantPast)
    }

    /// Concurrent answers share one statement and its commit (``GroupCommit``, as the flow's writes do).
    func storeAnswer(_ a: StoredAnswer) async throws(StoreError) -> StoredAnswer {
        guard answerGroups.settings.enabled else { return try await writeAnswers([a])[0] }
        return try await answerGroups.submit(a) { [self] group in
            await answerGroups.commitEach(group) { (answers) throws(StoreError) in try await self.writeAnswers(answers) }
        }
    }

    /// Stores answers not stored yet (the first of a guid wins, within the call too) and returns,
    /// for each, the answer stored under its guid.
    func writeAnswers(_ answers: [StoredAnswer]) async throws(StoreError) -> [StoredAnswer] {
        // One statement per 64 answers, so no explicit transaction: each commits (durably) on its own.
        // Both statements run as key look-ups (a cached generic plan on PostgreSQL): rows by value
        // and a read by the unique guid have nothing to plan, and the session then stays in the
        // mode of the look-ups around them (as a custom statement it cost two `SET` round trips).
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [StoredAnswer] in
            var stored: [String: StoredAnswer] = [:]
            for group in answers.chunked(RowInsertWriter.messagesPerStatement) {
                for row in try s.lookup("""
                    INSERT INTO message_answers (guid, enterprise_code, http_status, body, created_at)
                    VALUES \(RowInsertWriter.tuples(rows: group.count, width: 5)) ON CONFLICT (guid) DO NOTHING
                    RETURNING guid, enterprise_code, http_status, body, created_at
                    """, group.flatMap { a -> [SQLValue] in
                        [.text(a.guid), .text(a.enterpriseCode), .integer(Int64(a.httpStatus)), .text(a.body), .time(a.createdAt)]
                    }) {
                    let answer = try Self.answer(row)
                    stored[answer.guid] = answer
                }
            }
            let missing = Array(Set(answers.map(\.guid)).subtracting(stored.keys))
            for group in missing.chunked(RowInsertWriter.messagesPerStatement) {
                for row in try s.lookup(
                    "SELECT guid, enterprise_code, http_status, body, created_at FROM message_answers WHERE guid IN (\(placeholders(group.count)))",
                    group.map { .text($0) }) {
                    let answer = try Self.answer(row)
                    stored[answer.guid] = answer
                }
            }
            return try answers.map { (a) throws(StoreError) -> StoredAnswer in
                guard let answer = stored[a.guid] else { throw .notFound("answer \(a.guid) right after insert") }
                return answer
            }
        }
    }

    func answer(guid: String) async throws(StoreError) -> StoredAnswer? {
        try await lookups.answerByGuid.value(for: guid)
    }

    // MARK: Audit

    @discardableResult
    func appendAudit(_ e: AuditEntry) async throws(StoreError) -> Int64 {
        try await accessWrite { (s: any SQLSession) throws(StoreError) -> Int64 in
            guard let row = try s.queryOne(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                [.time(e.at), .text(e.actor), .text(e.action), .text(e.target), .optional(e.detail)])
            else { throw .notFound("audit entry right after insert") }
            return try row.requireInt64(0, "audit_log.id")
        }
    }

    func auditEntries(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [AuditEntry] in
            try s.query(
                "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1",
                [.integer(Int64(max(0, limit)))]
            ).map { (r: SQLRow) throws(StoreError) in
                AuditEntry(
                    id: try r.requireInt64(0, "id"), at: r.date(1) ?? .distantPast, actor: try r.requireString(2, "actor"),
                    action: try r.requireString(3, "action"), target: try r.requireString(4, "target"), detail: r.string(5))
            }
        }
    }

    // MARK: Receipts feed and recent messages

    func receiptFeed(after: Int64, enterpriseCode: String?, limit: Int) async throws(StoreError) -> [ReceiptSummary] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [ReceiptSummary] in
            try s.query("""
                SELECT \(ReceiptSummary.columns), r.order_no, r.logistics_no, r.invt_no, r.cop_no
                FROM receipts r JOIN message_keys m ON m.message_id = r.message_id
                LEFT JOIN declarations d ON d.id = r.declaration_id
                WHERE r.id > $1 AND (CAST($2 AS TEXT) IS NULL OR CAST($2 AS TEXT) IN (d.ebp_code, d.ebc_code, d.logistics_code, d.agent_code,
                    d.pay_code, d.sender_code))
                ORDER BY r.id LIMIT $3
                """, [.integer(after), .optional(enterpriseCode), .integer(Int64(max(0, limit)))]
            ).map { (r: SQLRow) throws(StoreError) in
                var receipt = try ReceiptSummary(row: r)
                receipt.orderNo = r.string(8)
                receipt.logisticsNo = r.string(9)
                receipt.invtNo = r.string(10)
                receipt.copNo = r.string(11)
                return receipt
            }
        }
    }

    func recentMessages(limit: Int) async throws(StoreError) -> [MessageSummary] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [MessageSummary] in
            try s.query(
                "SELECT \(MessageSummary.columns) FROM messages WHERE complete = 1 ORDER BY id DESC LIMIT $1",
                [.integer(Int64(max(0, limit)))]
            ).map { (r: SQLRow) throws(StoreError) in try MessageSummary(row: r) }
        }
    }
}
