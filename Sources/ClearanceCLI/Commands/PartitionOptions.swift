import ArgumentParser
import ClearanceStore

/// The partition policy's options, shared by `clearance partitions` and `clearance serve`.
struct PartitionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Detach (for archiving) PostgreSQL partitions whose newest message or declaration is older than this many days, once nothing in them is in flight, and delete the answers stored for repeated messages older than that (both engines; default: keep everything).", valueName: "DAYS"))
    var retentionDays: Int?

    @Option(help: ArgumentHelp("Days of arrivals one new partition is sized to hold.", valueName: "DAYS"))
    var partitionDays = 30

    @Option(help: ArgumentHelp("Partitions kept ready beyond the newest ids.", valueName: "N"))
    var partitionsAhead = 2

    @Option(help: ArgumentHelp("The fewest ids a new partition spans.", valueName: "IDS"))
    var partitionMinimumSpan = 100_000

    @Option(help: ArgumentHelp("Seconds one step waits for a table lock before leaving that table for the next run.", valueName: "SECONDS"))
    var partitionLockTimeout = 2.0

    func validate() throws {
        guard (1...3_650).contains(partitionDays), (1...24).contains(partitionsAhead), partitionMinimumSpan >= 1 else {
            throw ValidationError("--partition-days must be 1…3650, --partitions-ahead 1…24, --partition-minimum-span at least 1")
        }
        if let days = retentionDays, days < 1 { throw ValidationError("--retention-days must be at least 1") }
        guard (0.001...600).contains(partitionLockTimeout) else { throw ValidationError("--partition-lock-timeout must be 0.001…600 seconds") }
    }

    var policy: PartitionPolicy {
        PartitionPolicy(period: Double(partitionDays) * 86_400, ahead: partitionsAhead, minimumSpan: Int64(partitionMinimumSpan),
                        retention: retentionDays.map { Double($0) * 86_400 }, lockTimeout: partitionLockTimeout)
    }
}
