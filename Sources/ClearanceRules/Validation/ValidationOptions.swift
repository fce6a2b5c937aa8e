import CEBModel

/// How strictly a message is judged.
public struct ValidationOptions: Sendable {
    /// Warnings count as errors.
    public var strict: Bool
    /// A message declaring documents (appStatus 2) must carry a `ds:Signature`: its absence is an error, not a warning.
    public var requireSignature: Bool
    /// Decoder limits.
    public var limits: CEBLimits
    /// The per-order limit of retail imports, in yuan.
    public var perOrderLimit: CEBDecimal

    /// Creates options.
    public init(strict: Bool = false, requireSignature: Bool = false, limits: CEBLimits = .standard,
                perOrderLimit: CEBDecimal = CEBDecimal(5000)) {
        self.strict = strict
        self.requireSignature = requireSignature
        self.limits = limits
        self.perOrderLimit = perOrderLimit
    }

    /// Applies `strict`: warnings become errors — except `SIG100` (customs requires a signature the
    /// message lacks), which is no fault of an inbound message: Clearance signs it before sending (and
    /// its outbound gate refuses to send it unsigned). Only `requireSignature` makes `SIG100` an error.
    func judged(_ issues: [ValidationIssue]) -> [ValidationIssue] {
        guard strict || requireSignature, issues.contains(where: { $0.severity == .warning }) else { return issues }
        return issues.map { issue in
            var issue = issue
            if issue.code == "SIG100" {
                issue.severity = requireSignature ? .error : .warning
            } else if strict {
                issue.severity = .error
            }
            return issue
        }
    }
}
