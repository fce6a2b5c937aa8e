import Foundation

/// The ops overview's time charts: each query reads one window through a time index
/// (core migration 8) and returns at most `limit` rows.
extension SQLStore {
    func opsSeries(since: Date, messagesSince: Date, limit: Int) async throws(StoreError) -> OpsSeries {
        let from = SQLValue.integer(StoreClock.milliseconds(since))
        let limit = max(1, limit)
        let rows = SQLValue.integer(Int64(limit))
        return try await accessRead { (s: any SQLSession) throws(StoreError) -> OpsSeries in
            // A release is the `receipt` event with code 800 on a declaration; it was declared when its
            // message was routed.
            let releases = try s.query("""
                SELECT r.occurred_at, MIN(d.occurred_at), MIN(COALESCE(c.order_no, c.invt_no, c.logistics_no, c.cop_no, c.declaration_guid))
                FROM events r
                JOIN declarations c ON c.id = r.declaration_id
                JOIN events d ON d.message_id = c.message_id AND d.kind = 'routed'
                WHERE r.kind = 'receipt' AND r.code = '800' AND r.occurred_at >= $1
                GROUP BY r.id, r.occurred_at ORDER BY r.occurred_at LIMIT $2
                """, [from, rows]
            ).map { (r: SQLRow) throws(StoreError) in
                OpsSeries.Release(key: r.string(2) ?? "", declaredAt: r.date(1) ?? .distantPast, releasedAt: r.date(0) ?? .distantPast)
            }
            let receipts = try s.query("""
                SELECT e.occurred_at, r.return_status, r.return_time, COALESCE(r.order_no, r.invt_no, r.logistics_no, r.cop_no)
                FROM events e JOIN receipts r ON r.id = e.receipt_id
                WHERE e.kind = 'receipt' AND e.occurred_at >= $1
                ORDER BY e.occurred_at LIMIT $2
                """, [from, rows]
            ).map { (r: SQLRow) throws(StoreError) in
                OpsSeries.ReceiptLag(key: r.string(3), returnStatus: r.string(1) ?? "", returnTime: r.string(2) ?? "",
                                     storedAt: r.date(0) ?? .distantPast)
            }
            // Rows still queued, and rows that left the queue in the window.
            let outbox = try s.query("""
                SELECT created_at, updated_at, status FROM outbox
                WHERE status IN ('pending', 'in-flight') OR updated_at >= $1
                ORDER BY updated_at DESC LIMIT $2
                """, [from, rows]
            ).map { (r: SQLRow) throws(StoreError) in
                let status = r.string(2) ?? ""
                let finished = status == "delivered" || status == "dead"
                return OpsSeries.OutboxSpan(createdAt: r.date(0) ?? .distantPast, finishedAt: finished ? r.date(1) : nil, dead: status == "dead")
            }
            let deadBefore = try s.queryOne(
                "SELECT COUNT(*) FROM outbox WHERE status = 'dead' AND updated_at < $1", [from])?.int(0) ?? 0
            let messages = try s.query("""
                SELECT received_at / 60000, message_type, COUNT(*) FROM messages
                WHERE received_at >= $1 GROUP BY received_at / 60000, message_type ORDER BY 1, 2 LIMIT $2
                """, [.integer(StoreClock.milliseconds(messagesSince)), rows]
            ).map { (r: SQLRow) throws(StoreError) in
                OpsSeries.MessageCount(minute: StoreClock.date(milliseconds: (r.int64(0) ?? 0) * 60_000),
                                       messageType: r.string(1) ?? "", count: r.int(2) ?? 0)
            }
            let truncated = [releases.count, receipts.count, outbox.count, messages.count].contains { $0 >= limit }
            return OpsSeries(releases: releases, receipts: receipts, outbox: outbox, deadBefore: deadBefore,
                             messages: messages, truncated: truncated)
        }
    }
}
