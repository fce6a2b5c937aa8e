/// A routing file that cannot be used, with where the problem is.
public struct RoutingTableError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or `"<string>"`).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}

/// Every problem found in one routing file (validation reports them all, not just the first).
public struct RoutingTableErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in file order.
    public var errors: [RoutingTableError]

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
