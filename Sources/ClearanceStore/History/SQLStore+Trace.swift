import COpenSSL
import Foundation

/// What a shipment went through, and counts of what is stored.
extension SQLStore {
    // MARK: Trace

    func trace(_ key: TraceKey) async throws(StoreError) -> ShipmentTimeline? {
        try await session { (s: any SQLSession) throws(StoreError) -> ShipmentTimeline? in
            try ShipmentTracer(session: s).trace(key)
        }
    }

    // MARK: Stats

    /// Distinct party codes of stored declarations that are not on the credit list.
    static let unknownCreditPartiesSQL = """
        SELECT COUNT(*) FROM (
            SELECT ebp_code AS code FROM declarations WHERE ebp_code IS NOT NULL AND ebp_code <> ''
            UNION SELECT ebc_code FROM declarations WHERE ebc_code IS NOT NULL AND ebc_code <> ''
            UNION SELECT logistics_code FROM declarations WHERE logistics_code IS NOT NULL AND logistics_code <> ''
            UNION SELECT pay_code FROM declarations WHERE pay_code IS NOT NULL AND pay_code <> ''
            UNION SELECT agent_code FROM declarations WHERE agent_code IS NOT NULL AND agent_code <> ''
        ) parties WHERE NOT EXISTS (SELECT 1 FROM credit_list c WHERE c.code = parties.code)
        """

    func stats() async throws(StoreError) -> StoreStats {
        try await session { (s: any SQLSession) throws(StoreError) -> StoreStats in
            let messages = try s.query(
                "SELECT message_type, direction, COUNT(*) FROM messages GROUP BY message_type, direction ORDER BY 1, 2", []
            ).map { (row: SQLRow) throws(StoreError) in
                StoreStats.MessageCount(
                    messageType: try row.requireString(0, "message_type"),
                    direction: MessageDirection(rawValue: try row.requireString(1, "direction")) ?? .inbound,
                    count: row.int(2) ?? 0)
            }
            let declarations = try s.query(
                "SELECT kind, status, COUNT(*) FROM declarations GROUP BY kind, status ORDER BY 1, 2", []
            ).map { (row: SQLRow) throws(StoreError) in
                StoreStats.DeclarationCount(
                    kind: DeclarationKind(rawValue: try row.requireString(0, "kind")),
                    status: try row.requireString(1, "status"), count: row.int(2) ?? 0)
            }
            func count(_ table: String) throws(StoreError) -> Int {
                try s.queryOne("SELECT COUNT(*) FROM \(table)", [])?.int(0) ?? 0
            }
            var outbox = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, 0) })
            for row in try s.query("SELECT status, COUNT(*) FROM outbox GROUP BY status", []) {
                if let status = row.string(0).flatMap(OutboxStatus.init(rawValue:)) { outbox[status] = row.int(1) ?? 0 }
            }
            var stats = StoreStats(
                messages: messages, declarations: declarations, declarationLines: try count("declaration_lines"),
                receipts: try count("receipts"), events: try count("events"), outbox: outbox)
            stats.incompleteMessages = try s.queryOne("SELECT COUNT(*) FROM messages WHERE complete = 0", [])?.int(0) ?? 0
            stats.messageParts = try count("message_parts")
            stats.creditListEntries = try count("credit_list")
            stats.unknownCreditParties = try s.queryOne(Self.unknownCreditPartiesSQL, [])?.int(0) ?? 0
            stats.exportsToSummarise = try Self.exportsToSummarise(s)
            return stats
        }
    }
}
