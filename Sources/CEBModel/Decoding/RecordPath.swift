/// Where a record sits in its document, for naming fields in issues: the head, or line N.
///
/// Field names such as `OrderList[2].qty` are only built when an issue is reported, so the
/// clean path costs no string work.
public struct RecordPath: Sendable {
    /// The line element (`OrderList`), or nil for the head.
    public let lineElement: String?
    /// 1-based line number; 0 for the head.
    public let line: Int

    /// The head (or a flat document).
    public static let head = RecordPath(lineElement: nil, line: 0)

    /// Line `line` (1-based) of element `element`.
    public init(lineElement: String?, line: Int) {
        self.lineElement = lineElement
        self.line = line
    }

    /// The full name of `field` in this record.
    public func name(_ field: String) -> String {
        guard let lineElement else { return field }
        return "\(lineElement)[\(line)].\(field)"
    }
}
