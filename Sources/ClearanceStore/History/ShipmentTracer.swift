/// Builds a ``ShipmentTimeline``: finds the declarations matching a key, widens the set through
/// shared orderNo / logisticsNo / invtNo (order ↔ payment ↔ inventory ↔ waybill), then loads
/// messages, receipts, outbox rows and events. Only masked personal data is read.
struct ShipmentTracer {
    let session: any SQLSession

    /// Upper bound on declarations in one trace (a runaway link through a reused number stops here).
    static let maxDeclarations = 500
    /// Widening rounds: order → inventory → waybill needs two.
    static let maxRounds = 3

    func trace(_ key: TraceKey) throws(StoreError) -> ShipmentTimeline? {
        var declarationIds = Set<Int64>()
        var seedMessageIds = Set<Int64>()
        switch key {
        case .orderNo(let v): declarationIds = try ids("SELECT id FROM declarations WHERE order_no = $1", [.text(v)])
        case .logisticsNo(let v): declarationIds = try ids("SELECT id FROM declarations WHERE logistics_no = $1", [.text(v)])
        case .invtNo(let v): declarationIds = try ids("SELECT id FROM declarations WHERE invt_no = $1", [.text(v)])
        case .copNo(let v): declarationIds = try ids("SELECT id FROM declarations WHERE cop_no = $1", [.text(v)])
        case .guid(let v):
            declarationIds = try ids("""
                SELECT d.id FROM declaration_keys k \(session.dialect.declarationsByKey) WHERE k.declaration_guid = $1
                """, [.text(v)])
            seedMessageIds = try ids("SELECT message_id FROM message_keys WHERE guid = $1", [.text(v)])
            if !seedMessageIds.isEmpty {
                let list = Array(seedMessageIds)
                declarationIds.formUnion(try ids(
                    "SELECT id FROM declarations WHERE message_id IN (\(placeholders(list.count)))", list.map { .integer($0) }))
                declarationIds.formUnion(try ids(
                    "SELECT declaration_id FROM receipts WHERE declaration_id IS NOT NULL AND message_id IN (\(placeholders(list.count)))",
                    list.map { .integer($0) }))
            }
        }
        if declarationIds.isEmpty && seedMessageIds.isEmpty { return nil }
        declarationIds = try widen(declarationIds)

        let declarations = try loadDeclarations(Array(declarationIds))
        let declList = declarations.map { SQLValue.integer($0.id) }
        var messageIds = seedMessageIds
        if !declList.isEmpty {
            messageIds.formUnion(try ids(
                "SELECT message_id FROM declarations WHERE id IN (\(placeholders(declList.count)))", declList))
        }
        let receipts = try loadReceipts(declarationIds: declList, messageIds: Array(seedMessageIds))
        messageIds.formUnion(receipts.messageIds)
        let messageList = messageIds.sorted().map { SQLValue.integer($0) }
        let messages = try loadMessages(messageList)
        let deliveries = try loadDeliveries(messageList)
        let events = try loadEvents(
            declarationIds: declList, messageIds: messageList, receiptIds: receipts.summaries.map { .integer($0.id) })
        return ShipmentTimeline(
            key: key, declarations: declarations, messages: messages, receipts: receipts.summaries,
            deliveries: deliveries, events: events)
    }

    private func ids(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> Set<Int64> {
        Set(try session.query(sql, params).compactMap { $0.int64(0) })
    }

    private func widen(_ start: Set<Int64>) throws(StoreError) -> Set<Int64> {
        var all = start
        var frontier = start
        for _ in 0..<Self.maxRounds where !frontier.isEmpty && all.count < Self.maxDeclarations {
            let list = Array(frontier).map { SQLValue.integer($0) }
            var numbers: [String: Set<String>] = ["order_no": [], "logistics_no": [], "invt_no": []]
            for row in try session.query(
                "SELECT order_no, logistics_no, invt_no FROM declarations WHERE id IN (\(placeholders(list.count)))", list) {
                for (i, column) in ["order_no", "logistics_no", "invt_no"].enumerated() {
                    if let v = row.string(i), !v.isEmpty { numbers[column]?.insert(v) }
                }
            }
            var clauses: [String] = []
            var params: [SQLValue] = []
            for column in ["order_no", "logistics_no", "invt_no"] {
                let values = numbers[column] ?? []
                guard !values.isEmpty else { continue }
                clauses.append("\(column) IN (\(placeholders(values.count, from: params.count + 1)))")
                params += values.sorted().map { .text($0) }
            }
            guard !clauses.isEmpty else { break }
            let found = try ids(
                "SELECT id FROM declarations WHERE \(clauses.joined(separator: " OR ")) ORDER BY id LIMIT \(Self.maxDeclarations)",
                params)
            frontier = found.subtracting(all)
            all.formUnion(found)
        }
        return all
    }

    func loadDeclarations(_ ids: [Int64]) throws(StoreError) -> [DeclarationSummary] {
        guard !ids.isEmpty else { return [] }
        return try session.query("""
            SELECT d.id, d.kind, m.guid, d.declaration_guid, d.sender_code, d.app_type, d.order_no, d.logistics_no,
                d.invt_no, d.cop_no, d.ebp_code, d.ebc_code, d.logistics_code, d.agent_code, d.customs_code,
                d.port_code, d.trade_mode, d.buyer_name, d.buyer_id_masked, d.buyer_phone_masked, d.goods_value,
                d.freight, d.tax_total, d.actural_paid, d.currency, d.status,
                (SELECT COUNT(*) FROM declaration_lines l WHERE l.declaration_id = d.id)
            FROM declarations d JOIN message_keys m ON m.message_id = d.message_id
            WHERE d.id IN (\(placeholders(ids.count)))
            ORDER BY d.id
            """, ids.sorted().map { .integer($0) }
        ).map { (r: SQLRow) throws(StoreError) in
            DeclarationSummary(
                id: try r.requireInt64(0, "declarations.id"), kind: DeclarationKind(rawValue: try r.requireString(1, "kind")),
                messageGuid: try r.requireString(2, "messages.guid"), declarationGuid: try r.requireString(3, "declaration_guid"),
                senderCode: try r.requireString(4, "sender_code"), appType: r.string(5), orderNo: r.string(6),
                logisticsNo: r.string(7), invtNo: r.string(8), copNo: r.string(9), ebpCode: r.string(10),
                ebcCode: r.string(11), logisticsCode: r.string(12), agentCode: r.string(13), customsCode: r.string(14),
                portCode: r.string(15), tradeMode: r.string(16), buyerName: r.string(17), buyerIdMasked: r.string(18),
                buyerTelephoneMasked: r.string(19), goodsValue: r.decimal(20), freight: r.decimal(21),
                taxTotal: r.decimal(22), acturalPaid: r.decimal(23), currency: r.string(24),
                status: try r.requireString(25, "status"), lineCount: r.int(26) ?? 0)
        }
    }

    private func loadReceipts(
        declarationIds: [SQLValue], messageIds: [Int64]
    ) throws(StoreError) -> (summaries: [ReceiptSummary], messageIds: Set<Int64>) {
        var clauses: [String] = []
        var params: [SQLValue] = []
        if !declarationIds.isEmpty {
            clauses.append("r.declaration_id IN (\(placeholders(declarationIds.count)))")
            params += declarationIds
        }
        if !messageIds.isEmpty {
            clauses.append("r.message_id IN (\(placeholders(messageIds.count, from: params.count + 1)))")
            params += messageIds.map { .integer($0) }
        }
        guard !clauses.isEmpty else { return ([], []) }
        var summaries: [ReceiptSummary] = []
        var messages = Set<Int64>()
        for r in try session.query("""
            SELECT \(ReceiptSummary.columns), r.message_id
            FROM receipts r JOIN message_keys m ON m.message_id = r.message_id
            WHERE \(clauses.joined(separator: " OR "))
            ORDER BY r.return_time, r.id
            """, params) {
            summaries.append(try ReceiptSummary(row: r))
            if let m = r.int64(8) { messages.insert(m) }
        }
        return (summaries, messages)
    }

    private func loadMessages(_ ids: [SQLValue]) throws(StoreError) -> [MessageSummary] {
        guard !ids.isEmpty else { return [] }
        return try session.query("""
            SELECT \(MessageSummary.columns)
            FROM messages WHERE id IN (\(placeholders(ids.count))) ORDER BY received_at, id
            """, ids
        ).map { (r: SQLRow) throws(StoreError) in try MessageSummary(row: r) }
    }

    private func loadDeliveries(_ messageIds: [SQLValue]) throws(StoreError) -> [OutboxEntry] {
        guard !messageIds.isEmpty else { return [] }
        return try session.query(
            "SELECT \(SQLStore.outboxColumns) FROM outbox o JOIN message_keys m ON m.message_id = o.message_id WHERE o.message_id IN (\(placeholders(messageIds.count))) ORDER BY o.id",
            messageIds
        ).map { (r: SQLRow) throws(StoreError) in try SQLStore.outboxEntry(r) }
    }

    /// A key look-up (a cached generic plan, see ``SQLSession/lookup(_:_:)``): events are partitioned
    /// by their own id, so nothing here prunes, and a custom plan planned every events partition on
    /// every read (`pgbench`, one message's events: 0.43 ms with 14 partitions, 5.7 ms with 121;
    /// generic 0.15 and 0.70 ms).
    private func loadEvents(
        declarationIds: [SQLValue], messageIds: [SQLValue], receiptIds: [SQLValue]
    ) throws(StoreError) -> [TimelineEvent] {
        var clauses: [String] = []
        var params: [SQLValue] = []
        for (column, values) in [("e.declaration_id", declarationIds), ("e.message_id", messageIds), ("e.receipt_id", receiptIds)]
        where !values.isEmpty {
            clauses.append("\(column) IN (\(placeholders(values.count, from: params.count + 1)))")
            params += values
        }
        guard !clauses.isEmpty else { return [] }
        return try session.lookup("""
            SELECT e.id, e.kind, e.occurred_at, m.guid, e.declaration_id, e.code, e.detail
            FROM events e LEFT JOIN message_keys m ON m.message_id = e.message_id
            WHERE \(clauses.joined(separator: " OR "))
            ORDER BY e.occurred_at, e.id
            """, params
        ).map { (r: SQLRow) throws(StoreError) in
            TimelineEvent(
                id: try r.requireInt64(0, "events.id"), kind: EventKind(rawValue: try r.requireString(1, "kind")),
                occurredAt: r.date(2) ?? .distantPast, messageGuid: r.string(3), declarationId: r.int64(4),
                code: r.string(5), detail: r.string(6))
        }
    }
}

extension MessageSummary {
    /// The `messages` columns ``init(row:)`` reads, in its order.
    static let columns = "id, guid, message_type, sender_code, direction, received_at, sha256, signature_verdict"

    init(row r: SQLRow) throws(StoreError) {
        self.init(
            id: try r.requireInt64(0, "messages.id"), guid: try r.requireString(1, "guid"),
            messageType: try r.requireString(2, "message_type"), senderCode: try r.requireString(3, "sender_code"),
            direction: MessageDirection(rawValue: try r.requireString(4, "direction")) ?? .inbound,
            receivedAt: r.date(5) ?? .distantPast, sha256: try r.requireString(6, "sha256"),
            signatureVerdict: try r.requireString(7, "signature_verdict"))
    }
}

extension ReceiptSummary {
    /// The columns ``init(row:)`` reads, in its order, of `receipts r JOIN message_keys m`.
    static let columns = "r.id, m.guid, r.for_kind, r.reference_guid, r.return_status, r.return_time, r.return_info, r.declaration_id"

    init(row r: SQLRow) throws(StoreError) {
        self.init(
            id: try r.requireInt64(0, "receipts.id"), messageGuid: try r.requireString(1, "messages.guid"),
            forKind: DeclarationKind(rawValue: try r.requireString(2, "for_kind")),
            referenceGuid: try r.requireString(3, "reference_guid"), returnStatus: try r.requireString(4, "return_status"),
            returnTime: try r.requireString(5, "return_time"), returnInfo: r.string(6), declarationId: r.int64(7))
    }
}
