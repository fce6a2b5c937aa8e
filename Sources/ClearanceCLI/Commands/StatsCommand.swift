import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance stats`: what the store holds, at a glance.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count stored messages and declarations by type and status, and the outbox depth.",
        discussion: "Exit code 0, or 2 when the store cannot be opened."
    )

    @OptionGroup var store: StoreOption

    @Option(help: "Output format: text or json (one JSON object).")
    var format: OutputFormat = .text

    func run() async throws {
        let stats = try await store.reading { try await $0.stats() }
        let output = OutputBuffer()
        switch format {
        case .text: StatsText.lines(stats, store: store.display).forEach(output.line)
        case .json: output.line(StatsText.json(stats, store: store.display))
        }
        output.flush()
    }
}

enum StatsText {

    static func lines(_ s: StoreStats, store: String) -> [String] {
        var lines = ["store: \(store)"]
        lines.append("messages: \(s.messageTotal)" + (s.incompleteMessages > 0 ? " (\(s.incompleteMessages) incomplete: an ingest was interrupted or is running)" : "")
                     + ", raw parts: \(s.messageParts)")
        for m in s.messages { lines.append("  \(m.messageType) \(m.direction.rawValue): \(m.count)") }
        lines.append("declarations: \(s.declarationTotal), lines: \(s.declarationLines)")
        for d in s.declarations { lines.append("  \(d.kind.rawValue) \(d.status): \(d.count)") }
        lines.append("receipts: \(s.receipts), events: \(s.events)")
        let outbox = OutboxStatus.allCases.map { "\($0.rawValue) \(s.outbox[$0] ?? 0)" }.joined(separator: ", ")
        lines.append("outbox depth: \(s.outboxDepth) (\(outbox))")
        lines.append("credit list: \(s.creditListEntries) entries; parties unknown to it: \(s.unknownCreditParties)")
        for r in SummaryReminder.reminders(s.exportsToSummarise) {
            lines.append("export inventories cleared, not yet summarised: \(r.ebcCode) \(r.clearedNotSummarised) (\(r.period) due \(r.deadline): clearance summarize)")
        }
        return lines
    }

    static func json(_ s: StoreStats, store: String) -> String {
        var root = JSONLine()
        root.add("store", store)
        root.add("messages", s.messageTotal)
        root.add("incompleteMessages", s.incompleteMessages)
        root.add("messageParts", s.messageParts)
        root.add("creditListEntries", s.creditListEntries)
        root.add("unknownCreditParties", s.unknownCreditParties)
        root.add("messagesByType", raw: "[" + s.messages.map { m in
            var o = JSONLine()
            o.add("messageType", m.messageType)
            o.add("direction", m.direction.rawValue)
            o.add("count", m.count)
            return o.line
        }.joined(separator: ",") + "]")
        root.add("declarations", s.declarationTotal)
        root.add("declarationsByKind", raw: "[" + s.declarations.map { d in
            var o = JSONLine()
            o.add("kind", d.kind.rawValue)
            o.add("status", d.status)
            o.add("count", d.count)
            return o.line
        }.joined(separator: ",") + "]")
        root.add("declarationLines", s.declarationLines)
        root.add("receipts", s.receipts)
        root.add("events", s.events)
        var outbox = JSONLine()
        for status in OutboxStatus.allCases { outbox.add(status.rawValue, s.outbox[status] ?? 0) }
        root.add("outbox", raw: outbox.line)
        root.add("outboxDepth", s.outboxDepth)
        root.add("exportsToSummarise", raw: "[" + SummaryReminder.reminders(s.exportsToSummarise).map { r in
            var o = JSONLine()
            o.add("ebcCode", r.ebcCode)
            o.add("clearedNotSummarised", r.clearedNotSummarised)
            o.add("period", r.period)
            o.add("deadline", r.deadline)
            return o.line
        }.joined(separator: ",") + "]")
        return root.line
    }
}
