import ClearanceRouting
import Foundation
import Logging
import ServiceLifecycle

/// Releases, inside `clearance serve`, the waiting inventories whose documents are all stored but
/// whose release did not happen: at start (a process stopped between a document's commit and the
/// release it triggers) and then every `interval` (a release that failed). Any number of instances
/// may run it: each release is a guarded move, so an inventory goes once.
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
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let sweep = await forwarder.releaseCompleted()
            if sweep.candidates > 0 {
                logger.notice("waiting inventories with every document stored looked at again", metadata: [
                    "inventories": "\(sweep.candidates)", "releasedMessages": "\(sweep.released.count)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
