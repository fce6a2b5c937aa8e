import Foundation

/// Real-time payment data on both engines (migration 22).
extension SQLStore: PaymentDataStore {
    func depositPaymentOriginal(_ original: PaymentOriginal) async throws(StoreError) {
        let now = StoreClock.milliseconds(.now)
        let links = Self.encodeLinks(original.itemLinks)
        try await write { (s: any SQLSession) throws(StoreError) in
            _ = try s.execute("""
                INSERT INTO payment_originals (pay_transaction_id, order_no, enterprise_code, inital_request, inital_response,
                    ver_dept, pay_type, recp_account, recp_code, recp_name, item_links, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
                ON CONFLICT (pay_transaction_id) DO UPDATE SET order_no = $2, enterprise_code = $3, inital_request = $4,
                    inital_response = $5, ver_dept = $6, pay_type = $7, recp_account = $8, recp_code = $9, recp_name = $10,
                    item_links = $11, updated_at = $12
                """, [
                    .text(original.payTransactionId), .text(original.orderNo), .text(original.enterpriseCode),
                    .text(original.initalRequest), .text(original.initalResponse), .optional(original.verDept),
                    .optional(original.payType), .optional(original.recpAccount), .optional(original.recpCode),
                    .optional(original.recpName), .text(links), .integer(now),
                ])
        }
    }

    func paymentOriginal(payTransactionId: String) async throws(StoreError) -> PaymentOriginal? {
        try await session { (s: any SQLSession) throws(StoreError) -> PaymentOriginal? in
            guard let row = try s.queryOne("""
                SELECT pay_transaction_id, order_no, enterprise_code, inital_request, inital_response, ver_dept, pay_type,
                       recp_account, recp_code, recp_name, item_links, created_at, updated_at
                FROM payment_originals WHERE pay_transaction_id = $1
                """, [.text(payTransactionId)]) else { return nil }
            return PaymentOriginal(
                payTransactionId: try row.requireString(0, "pay_transaction_id"), orderNo: try row.requireString(1, "order_no"),
                enterpriseCode: try row.requireString(2, "enterprise_code"), initalRequest: try row.requireString(3, "inital_request"),
                initalResponse: try row.requireString(4, "inital_response"), verDept: row.string(5), payType: row.string(6),
                recpAccount: row.string(7), recpCode: row.string(8), recpName: row.string(9),
                itemLinks: Self.decodeLinks(row.string(10)), createdAt: row.date(11) ?? .distantPast, updatedAt: row.date(12) ?? .distantPast)
        }
    }

    /// The newest `kind` of `orderNo`. Orders and payments (what customs' requests ask for) are found
    /// in `linked_numbers`: one key probe, then the declaration by id in the partition its id names,
    /// not the order number's index in every declarations partition (`FlatLookupTests`).
    func declaration(kind: DeclarationKind, orderNo: String) async throws(StoreError) -> StoredDeclarationRef? {
        guard LinkedNumber(kind) == .orderNo else {
            return try await declarationRef(where: "d.kind = $1 AND d.order_no = $2", [.text(kind.rawValue), .text(orderNo)])
        }
        return try await declarationRef(
            from: "linked_numbers n JOIN declarations d ON d.id = n.declaration_id", where: "n.kind = $1 AND n.number = $2",
            newestFirst: "n.declaration_id", keyLookup: true, [.text(kind.rawValue), .text(orderNo)])
    }

    /// Not flat: a payment by its transaction id probes that index in every declarations partition.
    func payment(payTransactionId: String) async throws(StoreError) -> StoredDeclarationRef? {
        try await declarationRef(
            where: "d.kind = $1 AND d.pay_transaction_id = $2", [.text(DeclarationKind.payment.rawValue), .text(payTransactionId)])
    }

    /// The newest declaration (by `newestFirst`, descending) of `from` (aliasing `declarations` as `d`)
    /// meeting `condition`, with its message's guid. `keyLookup`: on a cached plan (a join by key,
    /// which a custom plan would plan over every partition each call).
    private func declarationRef(
        from source: String = "declarations d", where condition: String, newestFirst: String = "d.id", keyLookup: Bool = false,
        _ params: [SQLValue]
    ) async throws(StoreError) -> StoredDeclarationRef? {
        try await session { (s: any SQLSession) throws(StoreError) -> StoredDeclarationRef? in
            let sql = """
                SELECT m.guid, d.declaration_guid, d.kind, d.sender_code, d.order_no, d.pay_transaction_id, d.ebp_code, d.pay_code
                FROM \(source) JOIN message_keys m ON m.message_id = d.message_id
                WHERE \(condition) ORDER BY \(newestFirst) DESC LIMIT 1
                """
            guard let row = keyLookup ? try s.lookupOne(sql, params) : try s.queryOne(sql, params) else { return nil }
            return StoredDeclarationRef(
                messageGuid: try row.requireString(0, "messages.guid"), declarationGuid: try row.requireString(1, "declaration_guid"),
                kind: DeclarationKind(rawValue: try row.requireString(2, "kind")), senderCode: try row.requireString(3, "sender_code"),
                orderNo: row.string(4), payTransactionId: row.string(5), ebpCode: row.string(6), payCode: row.string(7))
        }
    }

    static let requestColumns = """
        id, session_id, order_no, service_time, requested_by, state, reason, customs_code, customs_message, created_at, updated_at
        """

    static func request(_ row: SQLRow) throws(StoreError) -> PaymentDataRequest {
        let state = try row.requireString(5, "state")
        guard let parsed = PaymentDataRequest.State(rawValue: state) else { throw .invalidInput("unknown request state \(state)") }
        return PaymentDataRequest(
            id: try row.requireInt64(0, "id"), sessionID: try row.requireString(1, "session_id"), orderNo: try row.requireString(2, "order_no"),
            serviceTime: try row.requireString(3, "service_time"), requestedBy: try row.requireString(4, "requested_by"), state: parsed,
            reason: row.string(6), customsCode: row.string(7), customsMessage: row.string(8),
            createdAt: row.date(9) ?? .distantPast, updatedAt: row.date(10) ?? .distantPast)
    }

    func recordPaymentDataRequest(
        sessionID: String, orderNo: String, serviceTime: String, requestedBy: String, now: Date
    ) async throws(StoreError) -> (request: PaymentDataRequest, created: Bool) {
        let nowMs = StoreClock.milliseconds(now)
        return try await write { (s: any SQLSession) throws(StoreError) -> (request: PaymentDataRequest, created: Bool) in
            let inserted = try s.queryOne("""
                INSERT INTO payment_data_requests (session_id, order_no, service_time, requested_by, state, created_at, updated_at)
                VALUES ($1, $2, $3, $4, 'not-sent', $5, $5)
                ON CONFLICT (session_id) DO NOTHING RETURNING id
                """, [.text(sessionID), .text(orderNo), .text(serviceTime), .text(requestedBy), .integer(nowMs)])
            guard let row = try s.queryOne(
                "SELECT \(Self.requestColumns) FROM payment_data_requests WHERE session_id = $1", [.text(sessionID)])
            else { throw .notFound("payment data request \(sessionID)") }
            let request = try Self.request(row)
            if inserted != nil {
                try Self.orderEvent(s, orderNo: orderNo, kind: .paymentDataRequested, code: nil,
                                    detail: "customs session \(sessionID) (request \(request.id))", now: nowMs)
            }
            return (request, inserted != nil)
        }
    }

    func paymentDataRequest(id: Int64) async throws(StoreError) -> PaymentDataRequest? {
        try await session { (s: any SQLSession) throws(StoreError) -> PaymentDataRequest? in
            try s.queryOne("SELECT \(Self.requestColumns) FROM payment_data_requests WHERE id = $1", [.integer(id)]).map {
                (row: SQLRow) throws(StoreError) in try Self.request(row)
            }
        }
    }

    func paymentDataRequests(orderNo: String?, state: PaymentDataRequest.State?, limit: Int) async throws(StoreError) -> [PaymentDataRequest] {
        try await session { (s: any SQLSession) throws(StoreError) -> [PaymentDataRequest] in
            var conditions: [String] = []
            var params: [SQLValue] = [.integer(Int64(max(limit, 0)))]
            if let orderNo { params.append(.text(orderNo)); conditions.append("order_no = $\(params.count)") }
            if let state { params.append(.text(state.rawValue)); conditions.append("state = $\(params.count)") }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try s.query(
                "SELECT \(Self.requestColumns) FROM payment_data_requests \(filter) ORDER BY id DESC LIMIT $1", params
            ).map { (row: SQLRow) throws(StoreError) in try Self.request(row) }
        }
    }

    func queuePaymentDataAnswer(id: Int64, orderMessageGuid: String, destination: String, now: Date) async throws(StoreError) -> OutboxEntry? {
        let nowMs = StoreClock.milliseconds(now)
        return try await write { (s: any SQLSession) throws(StoreError) -> OutboxEntry? in
            let moved = try s.execute("""
                UPDATE payment_data_requests SET state = 'queued', reason = NULL, updated_at = $2
                WHERE id = $1 AND state = 'not-sent'
                """, [.integer(id), .integer(nowMs)])
            guard moved == 1 else { return nil }
            guard let message = try s.queryOne("SELECT message_id FROM message_keys WHERE guid = $1", [.text(orderMessageGuid)]),
                  let messageId = message.int64(0) else { throw .notFound("message \(orderMessageGuid)") }
            // part_no = −id: one row per request, even for the same order and destination.
            guard let inserted = try s.queryOne("""
                INSERT INTO outbox (message_id, destination, status, attempts, next_attempt_at, created_at, updated_at, part_no, payment_request_id)
                VALUES ($1, $2, 'pending', 0, $3, $3, $3, $4, $5)
                ON CONFLICT (message_id, destination, part_no) DO NOTHING
                RETURNING id
                """, [.integer(messageId), .text(destination), .integer(nowMs), .integer(-id), .integer(id)]),
                let outboxId = inserted.int64(0) else { return nil }
            s.queuedOutbox = true
            guard let request = try s.queryOne("SELECT order_no FROM payment_data_requests WHERE id = $1", [.integer(id)]) else {
                throw .notFound("payment data request \(id)")
            }
            try Self.orderEvent(s, orderNo: try request.requireString(0, "order_no"), kind: .paymentDataQueued, code: nil,
                                detail: "request \(id) → \(destination)", now: nowMs)
            return try Self.outboxEntries(s, ids: [outboxId]).first
        }
    }

    func updatePaymentDataRequest(
        id: Int64, state: PaymentDataRequest.State, reason: String?, customsCode: String?, customsMessage: String?,
        event: EventKind, eventCode: String?, now: Date
    ) async throws(StoreError) {
        let nowMs = StoreClock.milliseconds(now)
        try await write { (s: any SQLSession) throws(StoreError) in
            guard let row = try s.queryOne("""
                UPDATE payment_data_requests SET state = $2, reason = $3, customs_code = $4, customs_message = $5, updated_at = $6
                WHERE id = $1 RETURNING order_no
                """, [.integer(id), .text(state.rawValue), .optional(reason), .optional(customsCode), .optional(customsMessage), .integer(nowMs)])
            else { throw .notFound("payment data request \(id)") }
            let detail = [reason, customsMessage].compactMap { $0 }.first.map { PersonalDataScrubber.scrub(String($0.prefix(300))) }
            try Self.orderEvent(s, orderNo: try row.requireString(0, "order_no"), kind: event, code: eventCode,
                                detail: "request \(id)" + (detail.map { ": \($0)" } ?? ""), now: nowMs)
        }
    }

    /// An event on the timeline of the stored order `orderNo` (its message and declaration); none
    /// when the order is not stored (the request still says why).
    private static func orderEvent(
        _ s: any SQLSession, orderNo: String, kind: EventKind, code: String?, detail: String?, now: Int64
    ) throws(StoreError) {
        guard let row = try s.queryOne("""
            SELECT d.id, d.message_id FROM linked_numbers n JOIN declarations d ON d.id = n.declaration_id
            WHERE n.kind = $1 AND n.number = $2 ORDER BY n.declaration_id DESC LIMIT 1
            """, [.text(DeclarationKind.order.rawValue), .text(orderNo)]) else { return }
        _ = try insertEvent(
            s, kind: kind, occurredAt: now, messageId: row.int64(1), declarationId: row.int64(0), receiptId: nil,
            code: code, detail: detail, dedupKey: nil, now: now)
    }

    /// Item links as `gnum<TAB>url` lines (URLs hold no tabs or line breaks).
    static func encodeLinks(_ links: [Int: String]) -> String {
        links.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value)" }.joined(separator: "\n")
    }

    static func decodeLinks(_ text: String?) -> [Int: String] {
        var out: [Int: String] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2, let gnum = Int(parts[0]) { out[gnum] = String(parts[1]) }
        }
        return out
    }
}
