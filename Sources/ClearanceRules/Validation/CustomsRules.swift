import CEBModel

/// The in-message customs rules the decoder runs on every document: ``FieldRules`` on each
/// record, ``AmountRules`` on each document.
public struct CustomsRules: RecordRules {
    /// Per-field checks.
    public let fields: FieldRules
    /// Sums and limits.
    public let amounts: AmountRules

    /// The rule set with the standard ¥5,000 limit, built once: building the per-message plans
    /// costs more than checking one small message.
    public static let standard = CustomsRules()

    /// Creates the rule set for the whole catalog.
    public init(perOrderLimit: CEBDecimal = CEBDecimal(5000)) {
        fields = FieldRules()
        amounts = AmountRules(perOrderLimit: perOrderLimit)
    }

    public func check(_ values: FieldValues, record: RecordSpec, message: MessageSpec, messageIndex: Int, isLine: Bool,
                      path: RecordPath, location: IssueLocation, into issues: inout [ValidationIssue]) {
        fields.check(values, record: record, message: message, messageIndex: messageIndex, isLine: isLine,
                     path: path, location: location, into: &issues)
    }

    public func checkDocument(_ values: DocumentValues, message: MessageSpec, messageIndex: Int,
                              location: IssueLocation, into issues: inout [ValidationIssue]) {
        amounts.checkDocument(values, message: message, messageIndex: messageIndex, location: location, into: &issues)
    }
}
