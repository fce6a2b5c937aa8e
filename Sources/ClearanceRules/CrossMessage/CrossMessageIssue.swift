import CEBModel

/// One disagreement found by a rule that looks across messages (three-document match, quotas,
/// tax, life cycle), reported field by field.
///
/// Codes: `MAT0nn` three-document mismatches (one code per kind of field disagreement),
/// `QTA001`/`QTA002` per-order and annual quotas, `TAX001` declared tax differs, `LIF0nn`
/// life-cycle refusals. They are listed in `schemas/README.md`.
public struct CrossMessageIssue: Sendable, Hashable, CustomStringConvertible {
    /// Stable machine code, e.g. `"MAT003"`.
    public var code: String
    /// The field that disagrees, qualified by document, e.g. `"payment.amountPaid"`.
    public var field: String
    /// What the other document (or the rule) expects, when there is one value.
    public var expected: String?
    /// What this document holds.
    public var actual: String?
    /// One sentence for people.
    public var message: String

    /// Creates an issue.
    public init(code: String, field: String, expected: String? = nil, actual: String? = nil, message: String) {
        self.code = code
        self.field = field
        self.expected = expected
        self.actual = actual
        self.message = message
    }

    /// `CODE field: message (expected X, got Y)`.
    public var description: String {
        var text = "\(code) \(field): \(message)"
        if expected != nil || actual != nil {
            text += " (expected \(expected ?? "—"), got \(actual ?? "—"))"
        }
        return text
    }
}

extension CEBDecimal {
    /// Adds without wrapping, saturating on overflow (amounts on real messages never get near).
    static func sum(_ values: some Sequence<CEBDecimal>) -> CEBDecimal {
        var total = CEBDecimal.zero
        for value in values { total = total.adding(value) ?? CEBDecimal(units: .max) }
        return total
    }

    /// The absolute value.
    var magnitude: CEBDecimal { CEBDecimal(units: units < 0 ? -units : units) }
}
