import ClearanceRouting
import Foundation
import Logging
import ServiceLifecycle

/// Releases, inside `clearance serve`, the waiting inventories whose documents are all stored but
/// whose release did not happen: at start (a process stopped between a document's commit and the
/// release it triggers) and then every `interval` (a release that failed), each time only for the
/// inventories whose documents arrived since the sweep before the previous one began. Any number of instances may
/// run it: each release is a guarded move, so an inventory goes once.
public struct WaitingReleaseService: Service {
    let forwarder: BatchForwarder
    let interval: Duration
    let logger: Logger

    public init(forwarder: BatchForwarder, interval: Duration = .seconds(600), logger: Logger) {
        self.forwarder = forwarder
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Each sweep looks at what is new since the sweep *before* the previous one began: a
        // declaration id is taken at insert, its transaction may commit a while later, so the
        // previous sweep may not have seen every id below its mark.
        var marks: (older: Int64, newer: Int64) = (0, 0)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let sweep = await forwarder.releaseCompleted(touchedAfter: marks.older)
            marks = (marks.newer, sweep.mark)
            if sweep.candidates > 0 {
                logger.notice("waiting inventories with every document stored looked at again", metadata: [
                    "inventories": "\(sweep.candidates)", "releasedMessages": "\(sweep.released.count)"])
            }
            // Until the next round or a graceful shutdown (SIGTERM), whichever comes first: a plain
            // sleep kept `clearance serve` alive for up to the whole interval after SIGTERM.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
