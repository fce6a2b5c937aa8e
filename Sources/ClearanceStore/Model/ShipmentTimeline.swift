import Foundation

/// A key to look a shipment up by.
public enum TraceKey: Sendable, Hashable, CustomStringConvertible {
    case orderNo(String)
    case logisticsNo(String)
    case invtNo(String)
    case copNo(String)
    /// Envelope guid of any message, or the head guid of any declaration.
    case guid(String)

    public var description: String {
        switch self {
        case .orderNo(let v): "orderNo=\(v)"
        case .logisticsNo(let v): "logisticsNo=\(v)"
        case .invtNo(let v): "invtNo=\(v)"
        case .copNo(let v): "copNo=\(v)"
        case .guid(let v): "guid=\(v)"
        }
    }
}

/// A declaration as shown in a trace: personal data masked.
public struct DeclarationSummary: Sendable, Hashable {
    public var id: Int64
    public var kind: DeclarationKind
    public var messageGuid: String
    public var declarationGuid: String
    public var senderCode: String
    public var appType: String?
    public var orderNo: String?
    public var logisticsNo: String?
    public var invtNo: String?
    public var copNo: String?
    public var ebpCode: String?
    public var ebcCode: String?
    public var logisticsCode: String?
    public var agentCode: String?
    public var customsCode: String?
    public var portCode: String?
    public var tradeMode: String?
    public var buyerName: String?
    /// e.g. `3501**********123X`.
    public var buyerIdMasked: String?
    /// e.g. `138****5678`.
    public var buyerTelephoneMasked: String?
    public var goodsValue: FixedDecimal?
    public var freight: FixedDecimal?
    public var taxTotal: FixedDecimal?
    public var acturalPaid: FixedDecimal?
    public var currency: String?
    public var status: String
    public var lineCount: Int
}

/// A message as shown in a trace (no raw bytes). Encodable as the API's `MessageSummary`
/// (`openapi.yaml`): the coding keys are exactly the fields the API shows (not the row id).
public struct MessageSummary: Sendable, Hashable, Encodable {
    public var id: Int64
    public var guid: String
    public var messageType: String
    public var senderCode: String
    public var direction: MessageDirection
    public var receivedAt: Date
    public var sha256: String
    public var signatureVerdict: String

    private enum CodingKeys: CodingKey { case guid, messageType, senderCode, direction, receivedAt, sha256, signatureVerdict }
}

extension MessageSummary {
    /// The summary of a stored message's header (``Store/messageHeader(guid:)``), whose row id the
    /// caller does not need.
    public init(_ m: MessageRecord, id: Int64 = 0) {
        self.init(id: id, guid: m.guid, messageType: m.messageType, senderCode: m.senderCode, direction: m.direction,
                  receivedAt: m.receivedAt, sha256: m.sha256, signatureVerdict: m.signatureVerdict)
    }
}

/// A receipt as shown in a trace or in the polling feed (``AccessStore/receiptFeed(after:enterpriseCode:limit:)``).
/// Encodable as the API's `Receipt`: every field but the declaration's row id.
public struct ReceiptSummary: Sendable, Hashable, Encodable {
    /// Receipt row id: in the feed, the cursor for the next poll.
    public var id: Int64
    public var messageGuid: String
    public var forKind: DeclarationKind
    public var referenceGuid: String
    public var returnStatus: String
    public var returnTime: String
    public var returnInfo: String?
    public var declarationId: Int64?
    /// The business numbers the receipt echoes: filled in the feed, nil in a trace.
    public var orderNo: String? = nil
    public var logisticsNo: String? = nil
    public var invtNo: String? = nil
    public var copNo: String? = nil

    private enum CodingKeys: CodingKey {
        case id, messageGuid, forKind, referenceGuid, returnStatus, returnTime, returnInfo, orderNo, logisticsNo, invtNo, copNo
    }
}

/// One timeline entry.
public struct TimelineEvent: Sendable, Hashable {
    public var id: Int64
    public var kind: EventKind
    public var occurredAt: Date
    public var messageGuid: String?
    public var declarationId: Int64?
    public var code: String?
    public var detail: String?
}

/// Everything known about one shipment: the declarations linked by orderNo / logisticsNo /
/// invtNo, their messages, receipts, outbox deliveries, and the event timeline (oldest first).
public struct ShipmentTimeline: Sendable, Hashable {
    public var key: TraceKey
    public var declarations: [DeclarationSummary]
    public var messages: [MessageSummary]
    public var receipts: [ReceiptSummary]
    public var deliveries: [OutboxEntry]
    public var events: [TimelineEvent]
}
