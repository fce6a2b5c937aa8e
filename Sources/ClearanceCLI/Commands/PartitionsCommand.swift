import ArgumentParser
import CEBModel
import ClearanceStore
import Foundation

/// `clearance partitions`: PostgreSQL partition maintenance (made ahead, default rows moved,
/// retention), run by hand or from cron; `clearance serve` runs the same every hour.
struct PartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions",
        abstract: "Make PostgreSQL partitions ahead, and detach those past --retention-days for archiving.",
        discussion: """
            Raw message parts, declaration lines and the outbox are partitioned by their parent's id; events, \
            message heads and declarations by their own (their unique keys stay in message_keys and declaration_keys). \
            Each run makes \
            partitions ahead of the newest ids (each sized to the ids the last --partition-days used), moves \
            rows that reached a default partition into the partition made for them, and with --retention-days \
            detaches partitions whose newest message, declaration or event is older, unless a delivery, an ingest or a \
            waiting declaration still needs them (events wait for nothing; declarations of the current calendar year stay for \
            buyers' annual quotas). A step that cannot have its table lock within \
            --partition-lock-timeout (another transaction holds the table) is left for the next run and reported \
            as busy. A detached partition is an ordinary table of the same name: \
            dump it (pg_dump -Fc -t NAME -f NAME.dump) and drop it. Reads of its messages answer "archived". \
            To read them again, restore the table (pg_restore -d DATABASE NAME.dump) and run --reattach NAME: \
            PostgreSQL checks its rows lie in its range, and retention keeps it one period from then. SQLite keeps \
            one table each: the command says so and changes nothing. Exit code 0; 1 when --reattach is refused \
            (the reason on standard error); 2 when the store cannot be opened.
            """
    )

    @OptionGroup var store: StoreOption
    @OptionGroup var partitions: PartitionOptions

    @Option(help: "Output format: text or json (one JSON object).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Attach the detached partition NAME again, once its table is restored from the archive (instead of maintenance).", valueName: "NAME"))
    var reattach: String?

    func run() async throws {
        if let name = reattach { return try await reattach(name) }
        let report = try await store.reading { try await $0.maintainPartitions(partitions.policy, now: Date()) }
        let output = OutputBuffer()
        switch format {
        case .text: PartitionsText.lines(report, store: store.display).forEach(output.line)
        case .json: output.line(PartitionsText.json(report, store: store.display))
        }
        output.flush()
    }

    private func reattach(_ name: String) async throws {
        let policy = partitions.policy
        let outcome = try await store.reading { store async -> Result<PartitionReattachment, StoreError> in
            do throws(StoreError) {
                return .success(try await store.reattachPartition(named: name, policy: policy, now: Date()))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .failure(let error):
            OutputBuffer.standardError("clearance: cannot reattach \(name): \(error)\n")
            throw Exit.invalid
        case .success(let done):
            let output = OutputBuffer()
            switch format {
            case .text:
                output.line("reattached \(PartitionsText.range(done.partition)): its messages and lines read whole again")
                for index in done.droppedIndexes {
                    output.line("dropped index \(index): its parent has no index it belongs to (kept from before a migration, or made by hand)")
                }
                if let days = partitions.retentionDays { output.line("retention keeps it at least \(days) days from now") }
            case .json:
                var line = JSONLine()
                line.add("reattached", raw: PartitionsText.object(done.partition))
                line.add("droppedIndexes", strings: done.droppedIndexes)
                output.line(line.line)
            }
            output.flush()
        }
    }
}

enum PartitionsText {
    static func range(_ p: StorePartition) -> String { "\(p.name) [\(p.low), \(p.high))" }

    static func lines(_ r: PartitionReport, store: String) -> [String] {
        guard r.partitioned else { return ["store: \(store) is not partitioned (SQLite keeps one table each); nothing to do"] }
        var lines = ["store: \(store)"]
        lines += r.created.map { "made \(range($0))" }
        if r.rowsMoved > 0 { lines.append("moved \(r.rowsMoved) rows out of the default partitions") }
        lines += r.detached.map { "detached \(range($0)): archive it (pg_dump -Fc -t \($0.name) -f \($0.name).dump) and drop it" }
        if r.answersPruned > 0 { lines.append("deleted \(r.answersPruned) stored answers past retention") }
        lines += r.busy.map { "\($0.rawValue): busy past the lock timeout; partitions not made ahead this run" }
        lines += r.kept.map { "kept \(range($0.partition)) past retention: \($0.hold.rawValue)" }
        for table in PartitionedTable.allCases {
            let mine = r.partitions.filter { $0.table == table }
            lines.append("\(table.rawValue): \(mine.filter { $0.detachedAt == nil }.count) attached, \(mine.filter { $0.detachedAt != nil }.count) detached")
            for p in mine {
                lines.append("  \(range(p))" + (p.detachedAt.map { " detached \(ChinaTime.isoTime($0))" } ?? "")
                             + (p.reattachedAt.map { " reattached \(ChinaTime.isoTime($0))" } ?? ""))
            }
        }
        return lines
    }

    static func object(_ p: StorePartition, hold: PartitionReport.Hold? = nil) -> String {
        var o = JSONLine()
        o.add("name", p.name)
        o.add("table", p.table.rawValue)
        o.add("low", Int(p.low))
        o.add("high", Int(p.high))
        if let detached = p.detachedAt { o.add("detachedAt", ChinaTime.isoTime(detached)) }
        if let reattached = p.reattachedAt { o.add("reattachedAt", ChinaTime.isoTime(reattached)) }
        if let hold { o.add("hold", hold.rawValue) }
        return o.line
    }

    static func json(_ r: PartitionReport, store: String) -> String {
        var root = JSONLine()
        root.add("store", store)
        root.add("partitioned", raw: r.partitioned ? "true" : "false")
        root.add("created", raw: "[" + r.created.map { object($0) }.joined(separator: ",") + "]")
        root.add("rowsMoved", r.rowsMoved)
        root.add("answersPruned", r.answersPruned)
        root.add("busy", raw: "[" + r.busy.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]")
        root.add("detached", raw: "[" + r.detached.map { object($0) }.joined(separator: ",") + "]")
        root.add("kept", raw: "[" + r.kept.map { object($0.partition, hold: $0.hold) }.joined(separator: ",") + "]")
        root.add("partitions", raw: "[" + r.partitions.map { object($0) }.joined(separator: ",") + "]")
        return root.line
    }
}
