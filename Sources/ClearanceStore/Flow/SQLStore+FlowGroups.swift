import Foundation

/// The transaction behind group commit of flow writes: many single messages as one chunk
/// (multi-row inserts), their events and routes, one commit; and the fallback that keeps one
/// bad write from failing its neighbours.
extension SQLStore {
    var groupCommitCounts: GroupCommitCounts { flowGroups.counts }

    /// Commits a group and answers every write: when the group's transaction fails it is rolled
    /// back and each write retried in a transaction of its own (``GroupCommit/commitEach(_:_:)``).
    func commitRouted(_ group: [PreparedFlowWrite]) async -> [Result<IngestReport, StoreError>] {
        await flowGroups.commitEach(group) { (writes) throws(StoreError) in try await self.writeRouted(writes) }
    }

    /// Stores the writes' messages and declarations as one chunk, then the events and routes of
    /// the newly stored messages (multi-row statements), in one transaction; one report per write, in order. A write
    /// whose message is already stored (earlier, or earlier in the same group) is `duplicate`
    /// and records nothing more.
    func writeRouted(_ group: [PreparedFlowWrite]) async throws(StoreError) -> [IngestReport] {
        guard var chunk = group.first?.chunk else { return [] }
        for write in group.dropFirst() { chunk.append(write.chunk) }
        let now = StoreClock.milliseconds(.now)
        // Key probes and inserts (the row inserts find their parents by unique keys; events and routes
        // go by ids): on cached plans, with no `SET` round trips around the rows.
        return try await self.write(keyProbes: true) { [chunk] (s: any SQLSession) throws(StoreError) -> [IngestReport] in
            let report = try s.bulkInsert(chunk)
            guard report.messages.count == group.count else {
                throw .notFound("\(report.messages.count) message outcomes for a group of \(group.count)")
            }
            var reports = group.count == 1 ? [report] : try Self.splitReport(s, report, group)
            var events: [Event] = []
            var known: [String: Int64] = [:]
            var routes: [(messageId: Int64, route: OutboxRoute)] = []
            for (i, write) in group.enumerated() {
                reports[i].chunksCommitted = 1
                let outcome = report.messages[i]
                guard outcome.status == .stored else { continue }
                known[write.messageGuid] = outcome.messageId
                events += write.events
                routes += write.routes.map { (outcome.messageId, $0) }
            }
            try Self.record(s, events: Self.eventRows(s, events, knownMessages: known), routes: routes, now: now)
            return reports
        }
    }

    /// One report per write from a group's report. A newly stored message's declarations and
    /// lines are this transaction's: the row writer returns them per message, and after a `COPY`
    /// chunk they are counted in the database. What the group inserted beyond those
    /// (declarations a duplicate message carried that were not stored yet) goes to the other
    /// writes in order.
    private static func splitReport(
        _ s: any SQLSession, _ report: IngestReport, _ group: [PreparedFlowWrite]
    ) throws(StoreError) -> [IngestReport] {
        let stored = report.messages.filter { $0.status == .stored }.map(\.messageId)
        var counted: [Int64: (declarations: Int, lines: Int)] = [:]
        if let inserted = report.insertedByMessage {
            for id in stored { counted[id] = (inserted[id]?.declarations ?? 0, inserted[id]?.lines ?? 0) }
        } else if !stored.isEmpty {
            for row in try s.query("""
                SELECT d.message_id, COUNT(DISTINCT d.id), COUNT(l.declaration_id)
                FROM declarations d LEFT JOIN declaration_lines l ON l.declaration_id = d.id
                WHERE d.message_id IN (\(placeholders(stored.count)))
                GROUP BY d.message_id
                """, stored.map { .integer($0) }) {
                counted[try row.requireInt64(0, "declarations.message_id")] = (
                    Int(try row.requireInt64(1, "declarations")), Int(try row.requireInt64(2, "declaration_lines")))
            }
        }
        var restDeclarations = report.declarationsInserted - counted.values.reduce(0) { $0 + $1.declarations }
        var restLines = report.linesInserted - counted.values.reduce(0) { $0 + $1.lines }
        var reports: [IngestReport] = []
        for (i, write) in group.enumerated() {
            let outcome = report.messages[i]
            var one = IngestReport()
            one.messages = [outcome]
            if outcome.status == .stored {
                let c = counted[outcome.messageId] ?? (0, 0)
                (one.declarationsInserted, one.linesInserted) = (c.declarations, c.lines)
            } else {
                one.declarationsInserted = min(max(restDeclarations, 0), write.declarationCount)
                one.linesInserted = min(max(restLines, 0), write.lineCount)
                restDeclarations -= one.declarationsInserted
                restLines -= one.linesInserted
            }
            one.declarationsSkipped = write.declarationCount - one.declarationsInserted
            one.linesSkipped = write.lineCount - one.linesInserted
            reports.append(one)
        }
        return reports
    }
}
