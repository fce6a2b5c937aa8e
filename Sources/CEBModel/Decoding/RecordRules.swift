/// Checks a layer above the schema may run on each record's raw values while decoding
/// (code tables, checksums, flags), before any `String` is made of them.
///
/// ClearanceRules provides the standard set; the decoder calls it once per head and line.
public protocol RecordRules: Sendable {
    /// Appends an issue for each problem in one record.
    /// - Parameters:
    ///   - values: the record's values, indexed as `record.fields`.
    ///   - record: the record's spec.
    ///   - message: the message type, and its index in ``MessageCatalog/all``.
    ///   - isLine: whether the record is a line (else the head or a flat document).
    ///   - path: the record's place, for naming fields in issues (`path.name("qty")`).
    ///   - location: where issues without a field position point, and their document index and key.
    func check(_ values: FieldValues, record: RecordSpec, message: MessageSpec, messageIndex: Int, isLine: Bool,
               path: RecordPath, location: IssueLocation, into issues: inout [ValidationIssue])

    /// Appends an issue for each problem across a whole document (sums over lines, limits),
    /// after each of its records was checked.
    func checkDocument(_ values: DocumentValues, message: MessageSpec, messageIndex: Int,
                       location: IssueLocation, into issues: inout [ValidationIssue])
}

extension RecordRules {
    public func checkDocument(_ values: DocumentValues, message: MessageSpec, messageIndex: Int,
                              location: IssueLocation, into issues: inout [ValidationIssue]) {}
}

/// Where issues of one record point when their field has no position of its own.
public struct IssueLocation: Sendable {
    /// Line of the document's start tag.
    public var line: Int
    /// Column of the document's start tag.
    public var column: Int
    /// 0-based index of the document in its message.
    public var documentIndex: Int
    /// The document's key, such as `orderNo=ORD1`.
    public var key: String?

    /// Makes an issue about `field` (named with the record's path) at the field's position, or the document's.
    public func issue(_ code: String, _ message: String, field: String, at position: (line: Int, column: Int)?,
                      severity: Severity = .error) -> ValidationIssue {
        ValidationIssue(code: code, severity: severity, message: message, field: field,
              line: position?.line ?? line, column: position?.column ?? column, documentIndex: documentIndex, key: key)
    }
}
