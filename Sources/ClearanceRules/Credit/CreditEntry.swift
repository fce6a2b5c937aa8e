import Foundation

/// One enterprise on the credit list: its code, grade, who published the grade, and when it holds.
///
/// Validity is a half-open interval of instants: `validFrom` is 00:00 China time of the first day
/// and `validUntil` 00:00 China time of the day after the last (the list's dates are China dates,
/// whatever the server's time zone). Either may be open.
public struct CreditEntry: Sendable, Hashable {
    /// Unified social credit code (18) or customs registration code (10).
    public var code: String
    public var grade: CreditGrade
    /// Where the grade comes from (a customs announcement, a list name), shown in hold reasons.
    public var source: String
    /// First instant the entry applies, or nil (always has).
    public var validFrom: Date?
    /// First instant it no longer applies, or nil (open-ended).
    public var validUntil: Date?

    /// Creates an entry.
    public init(code: String, grade: CreditGrade, source: String, validFrom: Date? = nil, validUntil: Date? = nil) {
        self.code = code
        self.grade = grade
        self.source = source
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Whether the entry holds at `date`: an entry outside its validity does not apply at all.
    public func applies(at date: Date) -> Bool {
        if let validFrom, date < validFrom { return false }
        if let validUntil, date >= validUntil { return false }
        return true
    }
}
