import Foundation

/// A customs enterprise credit grade (海关企业信用等级), as the credit list carries it.
///
/// A type, not a string: the routing table's `partyGrade` key, the flow's hold and the store all
/// name grades through it, so a misspelt grade is refused where it is written (YAML, CSV), never
/// silently matched against nothing. Raw values are the spellings of the routing table and the API.
public enum CreditGrade: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// 高级认证企业 (AEO advanced certified).
    case advancedCertified = "advanced-certified"
    /// 一般认证企业 (general certified).
    case generalCertified = "general-certified"
    /// 一般信用企业 (general credit).
    case generalCredit = "general-credit"
    /// 失信企业 (dishonest): its declarations are held for review.
    case dishonest = "dishonest"

    public var description: String { rawValue }

    /// The official Chinese name, as customs publishes the lists.
    public var chineseName: String {
        switch self {
        case .advancedCertified: "高级认证"
        case .generalCertified: "一般认证"
        case .generalCredit: "一般信用"
        case .dishonest: "失信"
        }
    }

    /// A grade as written in an imported list: the raw value, or the Chinese name with or
    /// without the trailing 企业 ("enterprise").
    public init?(listValue text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let grade = CreditGrade(rawValue: trimmed.lowercased()) {
            self = grade
            return
        }
        let bare = trimmed.hasSuffix("企业") ? String(trimmed.dropLast(2)) : trimmed
        guard let grade = Self.allCases.first(where: { $0.chineseName == bare }) else { return nil }
        self = grade
    }
}
