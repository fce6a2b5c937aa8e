import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// JSON shapes of the API (see `Resources/openapi.yaml`). Personal data is masked at the source:
/// declarations carry only the store's masked ID and telephone forms.
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
        goodsValue = d.goodsValue.map(money)
        acturalPaid = d.acturalPaid.map(money)
        currency = d.currency
        status = d.status
        lineCount = d.lineCount
    }
}

/// Two-decimal text of a stored amount.
func money(_ d: FixedDecimal) -> String {
    let cents = (d.scaled + (d.scaled >= 0 ? 500 : -500)) / 1000
    let sign = cents < 0 ? "-" : ""
    let magnitude = cents.magnitude
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

struct MessageSummaryDTO: ResponseEncodable {
    var guid: String
    var messageType: String
    var senderCode: String
    var direction: String
    var receivedAt: Date
    var sha256: String
    var signatureVerdict: String
}

extension MessageSummaryDTO {
    init(_ m: MessageSummary) {
        guid = m.guid
        messageType = m.messageType
        senderCode = m.senderCode
        direction = m.direction.rawValue
        receivedAt = m.receivedAt
        sha256 = m.sha256
        signatureVerdict = m.signatureVerdict
    }
}

struct ReceiptDTO: ResponseEncodable {
    var id: Int64?
    var messageGuid: String
    var forKind: String
    var referenceGuid: String
    var returnStatus: String
    var returnTime: String
    var returnInfo: String?
    var orderNo: String?
    var logisticsNo: String?
    var invtNo: String?
    var copNo: String?

    init(_ r: ReceiptSummary) {
        id = r.id
        messageGuid = r.messageGuid
        forKind = r.forKind.rawValue
        referenceGuid = r.referenceGuid
        returnStatus = r.returnStatus
        returnTime = r.returnTime
        returnInfo = r.returnInfo
        orderNo = r.orderNo
        logisticsNo = r.logisticsNo
        invtNo = r.invtNo
        copNo = r.copNo
    }
}

struct DeliveryDTO: ResponseEncodable {
    var id: Int64
    var messageGuid: String
    var destination: String
    var status: String
    var attempts: Int
    var nextAttemptAt: Date
    var lastError: String?
    var createdAt: Date
    /// The customs request for payment data this delivery answers (not the message itself).
    var paymentRequestId: Int64?

    init(_ o: OutboxEntry) {
        id = o.id
        messageGuid = o.messageGuid
        destination = o.destination
        status = o.status.rawValue
        attempts = o.attempts
        nextAttemptAt = o.nextAttemptAt
        lastError = o.lastError
        createdAt = o.createdAt
        paymentRequestId = o.paymentRequestId
    }
}

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
    var receipts: [ReceiptDTO]
    var messages: [MessageSummaryDTO]

    init(key: String, timeline t: ShipmentTimeline) {
        self.key = key
        status = ShipmentStatus.of(t)
        declarations = t.declarations.map(DeclarationDTO.init)
        receipts = t.receipts.map(ReceiptDTO.init)
        messages = t.messages.map(MessageSummaryDTO.init)
    }
}

struct TimelineDTO: ResponseEncodable {
    var key: String
    var status: String
    var events: [EventDTO]
    var deliveries: [DeliveryDTO]

    init(key: String, timeline t: ShipmentTimeline) {
        self.key = key
        status = ShipmentStatus.of(t)
        events = t.events.map(EventDTO.init)
        deliveries = t.deliveries.map(DeliveryDTO.init)
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
        links = ["self": "/v1/batches/\(b.id)", "errors": "/v1/batches/\(b.id)/errors"]
    }
}

struct BatchErrorDTO: ResponseEncodable {
    var document: Int
    var key: String?
    var line: Int
    var column: Int
    var code: String
    var severity: String
    var field: String?
    var message: String

    init(_ e: BatchErrorRecord) {
        document = e.documentIndex
        key = e.recordKey
        line = e.line
        column = e.column
        code = e.code
        severity = e.severity
        field = e.field
        message = e.message
    }
}

struct BatchErrorsDTO: ResponseEncodable {
    var batchId: String
    var errors: [BatchErrorDTO]
    var nextOffset: Int?
}

struct ReceiptFeedDTO: ResponseEncodable {
    var receipts: [ReceiptDTO]
    /// Pass as `since` on the next poll.
    var next: Int64
}

/// `Message`: a `MessageSummary` with the message's status and whether it is revealed. Its `xml`
/// is not here: the controller encodes these facts first and streams `xml` after them.
struct MessageDTO: ResponseEncodable {
    var summary: MessageSummaryDTO
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
