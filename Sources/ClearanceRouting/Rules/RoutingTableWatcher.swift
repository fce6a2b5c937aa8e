import Foundation
import Logging

/// Serves the current routing table and reloads it when its file changes (hot reload by
/// modification-time polling). A file that fails validation is reported and ignored: the last
/// good table stays in force. The built-in defaults never change.
public final class RoutingTableWatcher: @unchecked Sendable {
    /// Where the table comes from.
    public let source: RoutingSource
    private let environment: [String: String]
    private let minimumInterval: TimeInterval
    private let logger: Logger
    private let lock = NSLock()
    private var table: RoutingTable
    private var modified: Date?
    private var lastCheck = Date.distantPast
    private var lastError: RoutingTableErrors?

    /// Loads the file; throws when the first load fails.
    /// - Parameter minimumInterval: at most one `stat` per interval.
    public init(source: RoutingSource, environment: [String: String] = ProcessInfo.processInfo.environment,
                minimumInterval: TimeInterval = 1, logger: Logger = Logger(label: "clearance.routing")) throws(RoutingTableErrors) {
        self.source = source
        self.environment = environment
        self.minimumInterval = minimumInterval
        self.logger = logger
        table = try source.load(environment: environment)
        if case .file(let path) = source { modified = Self.modificationDate(path) }
        lastCheck = Date()
    }

    /// The error of the last failed reload, if the file is currently invalid.
    public var reloadError: RoutingTableErrors? { lock.withLock { lastError } }

    /// The table in force, reloading first when the file changed.
    public func current(now: Date = Date()) -> RoutingTable {
        lock.lock()
        defer { lock.unlock() }
        guard case .file(let path) = source, now.timeIntervalSince(lastCheck) >= minimumInterval else { return table }
        lastCheck = now
        let mtime = Self.modificationDate(path)
        guard mtime != modified else { return table }
        modified = mtime
        do {
            table = try RoutingTable.load(path: path, environment: environment)
            lastError = nil
            logger.info("routing table reloaded", metadata: ["file": "\(path)", "rules": "\(table.rules.count)"])
        } catch {
            lastError = error
            logger.error("routing table reload failed; keeping the previous table", metadata: ["error": "\(error)"])
        }
        return table
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
