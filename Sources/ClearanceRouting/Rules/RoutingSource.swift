import Foundation

/// Where the routing table comes from: a YAML file, or the defaults compiled into the binary.
///
/// The defaults are compiled in (``RoutingTable/defaultRoutesYAML``, generated from
/// `schemas/routing/default-routes.yaml`) because a path relative to the working directory made
/// every command fail when run from anywhere but the checkout.
public enum RoutingSource: Sendable, Equatable, CustomStringConvertible {
    /// A routing file; ``RoutingTableWatcher`` reloads it when it changes.
    case file(String)
    /// `schemas/routing/default-routes.yaml` as it was when the binary was built (never reloaded).
    case defaults

    /// The name errors and `clearance route` show.
    public var description: String {
        switch self {
        case .file(let path): path
        case .defaults: "default-routes.yaml (built in)"
        }
    }

    /// Loads and validates the table.
    /// - Throws: ``RoutingTableErrors`` naming file, line and column of every problem.
    public func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(RoutingTableErrors) -> RoutingTable {
        switch self {
        case .file(let path): try RoutingTable.load(path: path, environment: environment)
        case .defaults: try RoutingTable.parse(yaml: RoutingTable.defaultRoutesYAML, file: description, environment: environment)
        }
    }
}
