import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation
import Hummingbird

/// The answer to a release or refusal: what became of the message.
struct HoldDecisionDTO: ResponseEncodable {
    var guid: String
    /// `routed`, `unrouted` or `refused`.
    var status: String
    var destinations: [String]
    var rules: [String]

    init(_ outcome: FlowOutcome) {
        guid = outcome.guid
        rules = outcome.rules
        switch outcome.status {
        case .routed(let to): status = "routed"; destinations = to
        case .refused: status = "refused"; destinations = []
        default: status = "unrouted"; destinations = []
        }
    }
}

struct CreditImportDTO: ResponseEncodable {
    var id: Int64
    var importedAt: Date
    var actor: String
    var fileName: String
    var fileSHA256: String
    var entries: Int
    /// Entries per grade (`dishonest: 3`…), grades with none left out.
    var grades: [String: Int]

    init(_ i: CreditImport) {
        id = i.id
        importedAt = i.importedAt
        actor = i.actor
        fileName = i.fileName
        fileSHA256 = i.fileSHA256
        entries = i.entries
        grades = Dictionary(uniqueKeysWithValues: i.grades.map { ($0.key.rawValue, $0.value) })
    }
}

/// `GET /v1/credit`: the list in force and the latest imports.
struct CreditListDTO: ResponseEncodable {
    var entries: [CreditEntry]
    var imports: [CreditImportDTO]
}
