import ClearanceRules
import Foundation

/// One import of the credit list: who replaced it, when, from which file (its SHA-256), and what it
/// held. Kept for every import, so the list in force can always be traced to a file and a person.
public struct CreditImport: Sendable, Hashable {
    /// Assigned by the store.
    public var id: Int64
    public var importedAt: Date
    /// The operator (CLI user or ops account code).
    public var actor: String
    /// The file's name as given (for people; the digest identifies it).
    public var fileName: String
    /// SHA-256 of the file's bytes, hex.
    public var fileSHA256: String
    /// Entries on the new list.
    public var entries: Int
    /// Entries per grade (grades with none are absent).
    public var grades: [CreditGrade: Int]

    /// Creates a record (the id is assigned by the store).
    public init(id: Int64 = 0, importedAt: Date = Date(), actor: String, fileName: String, fileSHA256: String, entries: Int, grades: [CreditGrade: Int]) {
        self.id = id
        self.importedAt = importedAt
        self.actor = actor
        self.fileName = fileName
        self.fileSHA256 = fileSHA256
        self.entries = entries
        self.grades = grades
    }

    /// `advanced-certified 3, dishonest 1…`: the counts in grade order.
    public var gradeSummary: String {
        CreditGrade.allCases.map { "\($0.rawValue) \(grades[$0] ?? 0)" }.joined(separator: ", ")
    }
}
