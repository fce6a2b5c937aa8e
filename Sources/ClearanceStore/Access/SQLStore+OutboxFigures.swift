import Foundation

extension SQLStore {
    func outboxFigures() async throws(StoreError) -> OutboxFigures {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> OutboxFigures in
            var rows: [OutboxStatus: Int] = [.pending: 0, .inFlight: 0, .dead: 0]
            var oldest: Int64?
            for row in try s.query("""
                SELECT status, COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('pending', 'in-flight', 'dead') GROUP BY status
                """, []) {
                guard let status = row.string(0).flatMap(OutboxStatus.init(rawValue:)) else { continue }
                rows[status] = row.int(1) ?? 0
                if status != .dead, let created = row.int64(2) { oldest = min(oldest ?? created, created) }
            }
            return OutboxFigures(rows: rows, oldestUndelivered: oldest.map { StoreClock.date(milliseconds: $0) })
        }
    }
}
