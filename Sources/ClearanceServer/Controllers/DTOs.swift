import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// JSON shapes of the API (see `Resources/openapi.yaml`) that are not a store type as it is: the
/// store's summaries that the API shows unchanged (receipts, deliveries, messages, batch errors,
/// holds, credit entries) are `Encodable` where they are defined, their coding keys naming the
/// fields shown, and answered through `ResponseEncodable` below. Personal data is masked at the
/// source: declarations carry only the store's masked ID and telephone forms.
struct DeclarationDTO: ResponseEncodable {
    var kind: String
    var messageGuid: String
    var declarationGuid: String
    var senderCode: String
    var appType: String?
    var orderNo: String?
    var logisticsNo: String?
    var invtNo: String?
    var copNo: String?
    var ebpCode: String?
    var ebcCode: String?
    var logisticsCode: String?
    var agentCode: String?
    var customsCode: String?
    var buyerName: String?
    var buyerIdMasked: String?
    var buyerTelephoneMasked: String?
    var goodsValue: String?
    var acturalPaid: String?
    var currency: String?
    var status: String
    var lineCount: Int

    init(_ d: DeclarationSummary) {
        kind = d.kind.rawValue
        messageGuid = d.messageGuid
        declarationGuid = d.declarationGuid
        senderCode = d.senderCode
        appType = d.appType
        orderNo = d.orderNo
        logisticsNo = d.logisticsNo
        invtNo = d.invtNo
        copNo = d.copNo
        ebpCode = d.ebpCode
        ebcCode = d.ebcCode
        logisticsCode = d.logisticsCode
        agentCode = d.agentCode
        customsCode = d.customsCode
        buyerName = d.buyerName
        buyerIdMasked = d.buyerIdMasked
        buyerTelephoneMasked = d.buyerTelephoneMasked
        goodsValue = d.goodsValue?.money
        acturalPaid = d.acturalPaid?.money
        currency = d.currency
        status = d.status
        lineCount = d.lineCount
    }
}

extension MessageSummary: ResponseEncodable {}
extension ReceiptSummary: ResponseEncodable {}
extension OutboxEntry: ResponseEncodable {}
extension HeldMessage: ResponseEncodable {}


struct EventDTO: ResponseEncodable {
    var kind: String
    var occurredAt: Date
    var messageGuid: String?
    var code: String?
    var detail: String?

    init(_ e: TimelineEvent) {
        kind = e.kind.rawValue
        occurredAt = e.occurredAt
        messageGuid = e.messageGuid
        code = e.code
        detail = e.detail.map(PersonalDataScrubber.scrub)
    }
}

struct ShipmentDTO: ResponseEncodable {
    var key: String
    var status: String
    var declarations: [DeclarationDTO]
    var receipts: [ReceiptSummary]
    var messages: [MessageSummary]
    /// The buyer page's link of this order (``TrackController``), for the order's own parties only.
    var trackingUrl: String?

    init(key: String, timeline t: ShipmentTimeline) {
        self.key = key
        status = ShipmentStatus.of(t)
        declarations = t.declarations.map(DeclarationDTO.init)
        receipts = t.receipts
        messages = t.messages
    }
}

struct TimelineDTO: ResponseEncodable {
    var key: String
    var status: String
    var events: [EventDTO]
    var deliveries: [OutboxEntry]

    init(key: String, timeline t: ShipmentTimeline) {
        self.key = key
        status = ShipmentStatus.of(t)
        events = t.events.map(EventDTO.init)
        deliveries = t.deliveries
    }
}

struct BatchDTO: ResponseEncodable {
    var id: String
    var enterpriseCode: String
    var status: String
    var bytes: Int64
    var documents: Int
    var validDocuments: Int
    var invalidDocuments: Int
    var declarationsInserted: Int
    var declarationsSkipped: Int
    var receiptsInserted: Int
    var errors: Int
    var warnings: Int
    var messageGuid: String?
    var messageType: String?
    var failure: String?
    /// What the clearance flow did with the completed batch.
    var routing: String?
    /// The signature gate's verdict on the whole batch.
    var signature: String?
    /// The batch's declarations by status as they stand now (`declared`, `awaiting documents`,
    /// `refused`…; invalid documents are not stored: `invalidDocuments`).
    var declarations: [String: Int]?
    var createdAt: Date
    var updatedAt: Date
    var links: [String: String]

    init(_ b: BatchRecord) {
        id = b.id
        enterpriseCode = b.enterpriseCode
        status = b.status.rawValue
        bytes = b.bytes
        documents = b.documents
        validDocuments = b.documents - b.invalidDocuments
        invalidDocuments = b.invalidDocuments
        declarationsInserted = b.declarationsInserted
        declarationsSkipped = b.declarationsSkipped
        receiptsInserted = b.receiptsInserted
        errors = b.errorCount
        warnings = b.warningCount
        messageGuid = b.messageGuid
        messageType = b.messageType
        failure = b.failure
        routing = b.routing
        signature = b.signature
        createdAt = b.createdAt
        updatedAt = b.updatedAt
        links = ["self": "/v1/batches/\(b.id)", "errors": "/v1/batches/\(b.id)/errors", "documents": "/v1/batches/\(b.id)/documents"]
    }
}

/// `GET /v1/batches/{id}/documents`: a page of the batch's declarations.
struct BatchDocumentsDTO: ResponseEncodable {
    var batchId: String
    var status: String?
    var documents: [DeclarationDTO]
    var nextOffset: Int?
}

struct BatchErrorsDTO: ResponseEncodable {
    var batchId: String
    var errors: [BatchErrorRecord]
    var nextOffset: Int?
}

struct ReceiptFeedDTO: ResponseEncodable {
    var receipts: [ReceiptSummary]
    /// Pass as `since` on the next poll.
    var next: Int64
}

/// `Message`: a `MessageSummary` with the message's status and whether it is revealed. Its `xml`
/// is not here: the controller encodes these facts first and streams `xml` after them.
struct MessageDTO: ResponseEncodable {
    var summary: MessageSummary
    var status: String
    var revealed: Bool

    private enum CodingKeys: CodingKey { case status, revealed }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(revealed, forKey: .revealed)
    }
}

struct IssueDTO: Codable, Sendable {
    var code: String
    var field: String?
    /// The JSON path of the member at fault, on answers of the JSON face (`$.OrderList[1].qty`).
    var path: String?
    var message: String
}

/// The verdict on one single message; stored and replayed to duplicates.
struct VerdictDTO: Codable, Sendable {
    var guid: String
    var messageType: String
    /// `routed`, `awaiting`, `refused`, `invalid`, `unrouted`, `receipt`.
    var verdict: String
    var stored: Bool
    var signature: String
    var destinations: [String]
    var missing: [String]
    var issues: [IssueDTO]
    var receipts: [String]
}

struct HealthDTO: ResponseEncodable {
    var status: String
    var store: String
    var engine: String
}

/// The JSON face's answer: one result per document, in the order sent.
struct JSONDocumentsAnswerDTO: Codable, Sendable {
    var documents: [JSONDocumentResultDTO]
}

/// One JSON document's verdict, as `POST /v1/messages` gives it for the XML it became, with the
/// faults named by JSON path and a link to the stored XML.
struct JSONDocumentResultDTO: Codable, Sendable {
    /// 1-based: the line (JSON Lines) or array element.
    var position: Int
    var guid: String?
    var messageType: String
    /// `routed`, `awaiting`, `unrouted`, `duplicate`, `refused`, `invalid`.
    var verdict = "invalid"
    var stored = false
    var duplicate: Bool?
    var signature: String?
    var destinations: [String] = []
    var missing: [String] = []
    var issues: [IssueDTO] = []
    /// `/v1/messages/{guid}`: the stored message and its XML.
    var message: String?

    init(position: Int, messageType: String) {
        self.position = position
        self.messageType = messageType
    }
}
