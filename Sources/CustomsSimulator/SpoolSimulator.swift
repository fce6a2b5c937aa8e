import ClearanceRouting
import Foundation

/// The simulator in spool mode: picks messages up from a directory (as a customs data-exchange
/// client would), answers as ``CustomsSimulator`` does; processed files move to `processed/`.
public struct SpoolSimulator: Sendable {
    /// The simulator.
    public let simulator: CustomsSimulator
    /// The inbound spool (Clearance's outbound directory).
    public let inbox: SpoolInbox
    /// Whom the messages in this spool are addressed to.
    public let counterpart: Counterpart

    /// Creates a spool simulator reading `directory`, answering as `counterpart`.
    public init(simulator: CustomsSimulator, directory: String, counterpart: Counterpart = .customs) {
        self.simulator = simulator
        self.inbox = SpoolInbox(directory: directory)
        self.counterpart = counterpart
    }

    /// Handles every file waiting now; returns how many were taken.
    @discardableResult
    public func pollOnce() -> Int {
        var count = 0
        for path in inbox.pending() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let answer = simulator.submit(Array(data), to: counterpart)
            if case .malformed = answer { inbox.finish(path, failed: true) } else { inbox.finish(path, failed: false) }
            count += 1
        }
        return count
    }

    /// Polls until cancelled.
    public func run(interval: TimeInterval = 0.2) async {
        while !Task.isCancelled {
            pollOnce()
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
        }
    }
}
