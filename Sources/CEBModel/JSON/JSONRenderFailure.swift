/// Why a JSON document could not be written as XML: every issue found, so that a merchant fixes the
/// document in one go.
public struct JSONRenderFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The issues, in document order.
    public let issues: [JSONFieldIssue]

    /// Creates a failure.
    public init(_ issues: [JSONFieldIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}
