import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation
import Hummingbird

/// A held message in `GET /v1/holds`.
struct HeldMessageDTO: ResponseEncodable {
    var guid: String
    var messageType: String
    var senderCode: String
    var declarations: Int
    var heldAt: Date?
    var reasons: [String]

    init(_ h: HeldMessage) {
        guid = h.guid
        messageType = h.messageType
        senderCode = h.senderCode
        declarations = h.declarations
        heldAt = h.heldAt
        reasons = h.reasons
    }
}

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

struct CreditEntryDTO: Encodable {
    var code: String
    var grade: String
    var source: String
    var validFrom: Date?
    var validUntil: Date?

    init(_ e: CreditEntry) {
        code = e.code
        grade = e.grade.rawValue
        source = e.source
        validFrom = e.validFrom
        validUntil = e.validUntil
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
    var entries: [CreditEntryDTO]
    var imports: [CreditImportDTO]
}
