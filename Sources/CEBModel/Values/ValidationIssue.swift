/// How serious an ``ValidationIssue`` is.
public enum Severity: String, Sendable, Codable, Comparable {
    /// Reported; does not make the input invalid unless checks run strict.
    case warning
    /// The document is invalid.
    case error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// One finding about a message or one of its documents: what, where and why.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable code (`SCH001`, `RUL003`, `XML001`…); see `schemas/README.md` for the list.
    public var code: String
    /// Error or warning.
    public var severity: Severity
    /// A sentence a merchant understands.
    public var message: String
    /// The element at fault (`orderNo`, `OrderList[2].qty`), when one is.
    public var field: String?
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// 0-based index of the document in its message; nil for message-level issues.
    public var documentIndex: Int?
    /// The document's identifying key, such as `orderNo=ORD123`.
    public var key: String?

    /// Creates an issue.
    public init(code: String, severity: Severity = .error, message: String, field: String? = nil,
                line: Int? = nil, column: Int? = nil, documentIndex: Int? = nil, key: String? = nil) {
        self.code = code
        self.severity = severity
        self.message = message
        self.field = field
        self.line = line
        self.column = column
        self.documentIndex = documentIndex
        self.key = key
    }

    public var description: String {
        var parts: [String] = []
        if let line { parts.append(column.map { "\(line):\($0)" } ?? "\(line)") }
        if let documentIndex { parts.append("#\(documentIndex + 1)") }
        if let key { parts.append(key) }
        if let field { parts.append(field) }
        parts.append("\(severity.rawValue) \(code): \(message)")
        return parts.joined(separator: " ")
    }
}
