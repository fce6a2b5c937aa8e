import CEBModel
import ClearanceIngest
import ClearanceStore
import Foundation
import Logging
import XMLSignature

/// What happened to one receipt message.
public struct ReceiptResult: Sendable, Hashable {
    /// One receipt document of the message.
    public struct Entry: Sendable, Hashable {
        /// `returnStatus`.
        public var status: String
        /// Linked to a declaration (false: kept and flagged `unmatched-receipt`).
        public var matched: Bool
        /// Newly stored (false: a duplicate).
        public var inserted: Bool
    }

    /// Receipt envelope guid.
    public var guid: String
    /// Message type, e.g. `CEB622`.
    public var messageType: String
    /// What the signature check found (`unchecked` when no verifier was given).
    public var signatureVerdict: SignatureVerdict
    /// Per receipt document.
    public var receipts: [Entry]
}

/// Why a receipt was not stored.
public enum ReceiptError: Error, Sendable, CustomStringConvertible {
    /// Not a readable receipt.
    case unreadable(String)
    /// The signature is required and does not verify.
    case signatureRefused(String)
    /// The store failed.
    case store(StoreError)

    public var description: String {
        switch self {
        case .unreadable(let why): "unreadable receipt: \(why)"
        case .signatureRefused(let why): "receipt signature refused: \(why)"
        case .store(let error): "store: \(error)"
        }
    }
}

/// Takes receipts from customs (CEB312/412/512/622, export receipts, CEB900) and the answers of
/// the inspection (`InspReturn`) and payment/FX (`PayExReturn`) destinations: parses them,
/// verifies their signature when a verifier is configured, stores them, and lets the store match
/// each to its declaration (by guid, then copNo / invtNo / payTransactionId / logisticsNo /
/// orderNo) and move its status along the customs codes. Receipts that match nothing are kept
/// and flagged with an `unmatched-receipt` event — never dropped. A release (800) of an inventory
/// also appends a `released` event. An authority's answer never changes a declaration's (customs)
/// status: it adds an event such as `inspection-hold` or `payment-rejected` (see
/// ``AuthorityAnswer``), and ``ShipmentStatus`` shows a hold or rejection until customs releases.
public final class ReceiptProcessor: Sendable {
    private let store: any ClearanceFlowStore
    private let verifier: SignatureVerifier?
    private let requireSignature: Bool
    private let logger: Logger

    /// Creates a processor.
    /// - Parameters:
    ///   - verifier: checks receipt signatures; nil stores them as `unchecked`.
    ///   - requireSignature: refuse unsigned or invalid receipts instead of storing them flagged.
    public init(store: any ClearanceFlowStore, verifier: SignatureVerifier? = nil, requireSignature: Bool = false,
                logger: Logger = Logger(label: "clearance.receipts")) {
        self.store = store
        self.verifier = verifier
        self.requireSignature = requireSignature
        self.logger = logger
    }

    /// Processes one receipt message (bare or in a `dxp:DxpMsg`), checking its signature with
    /// this processor's verifier. Faces take receipts through ``MessageIntake``, which judges the
    /// sender first; this entry serves tests and local tools.
    public func process(_ input: [UInt8], receivedAt: Date = Date()) async throws(ReceiptError) -> ReceiptResult {
        let message: DecodedMessage
        do {
            message = try DecodedMessage.decode(input)
        } catch {
            throw .unreadable(error.description)
        }
        var verdict = SignatureVerdict.unchecked
        if let verifier {
            if !message.hasSignature {
                verdict = .unsigned
            } else {
                do {
                    verdict = try verifier.verify(bytes: message.bytes).warnings.isEmpty ? .valid : .validWithWarnings
                } catch {
                    if requireSignature { throw .signatureRefused("invalid: \(error)") }
                    verdict = .invalid
                }
            }
            if requireSignature, !verdict.isValid { throw .signatureRefused(verdict.rawValue) }
        }
        return try await process(message, signatureVerdict: verdict, routedTo: nil, senderCode: nil, receivedAt: receivedAt)
    }

    /// Stores a decoded receipt message whose sender and signature the caller has judged.
    /// - Parameters:
    ///   - routedTo: the destinations of the answering authority: each receipt links only to a
    ///     declaration queued for one of them (nil: no such restriction).
    ///   - senderCode: the authority's account code, stored as the message's sender.
    public func process(
        _ message: DecodedMessage, signatureVerdict verdict: SignatureVerdict, routedTo: [String]?, senderCode: String?, receivedAt: Date = Date()
    ) async throws(ReceiptError) -> ReceiptResult {
        var records = message.documents.compactMap { DeclarationMapper.receipt($0, messageGuid: message.guid) }
        guard !records.isEmpty else { throw .unreadable("\(message.messageType) carries no receipt") }
        for i in records.indices { records[i].routedTo = routedTo }
        let sender = senderCode ?? records.first?.customsCode ?? message.senderCode ?? ""
        let carrier = MessageRecord(
            guid: message.guid, messageType: message.messageType, senderCode: sender.isEmpty ? "customs" : sender,
            direction: .inbound, receivedAt: receivedAt, rawBytes: message.bytes, signatureVerdict: verdict.rawValue)
        var outcome = ReceiptResult(guid: message.guid, messageType: message.messageType, signatureVerdict: verdict, receipts: [])
        do {
            _ = try await store.ingest([IngestItem(message: carrier)])
            let results = try await store.storeReceipts(records)
            for (record, result) in zip(records, results) {
                let matched = result.declarationId != nil
                outcome.receipts.append(ReceiptResult.Entry(status: record.returnStatus, matched: matched, inserted: result.inserted))
                guard result.inserted else { continue }
                if record.forKind.isAuthorityAnswer,
                   let kind = AuthorityAnswer(status: record.returnStatus).eventKind(for: record.forKind) {
                    // An authority's answer shows on the timeline; the customs status is left as it is.
                    try await store.appendEvent(Event(
                        kind: kind, occurredAt: receivedAt, messageGuid: message.guid, code: record.returnStatus,
                        detail: record.returnInfo,
                        dedupKey: "\(kind.rawValue):\(record.referenceGuid):\(record.returnStatus):\(record.returnTime)"))
                }
                if !matched {
                    logger.warning("unmatched receipt kept", metadata: ["guid": "\(message.guid)", "reference": "\(record.referenceGuid)"])
                    try await store.appendEvent(Event(
                        kind: EventKind.unmatchedReceipt, occurredAt: receivedAt, messageGuid: message.guid,
                        code: record.returnStatus,
                        detail: "no declaration for \(record.forKind) \(record.referenceGuid) (copNo \(record.copNo ?? "—"), invtNo \(record.invtNo ?? "—"), orderNo \(record.orderNo ?? "—"), logisticsNo \(record.logisticsNo ?? "—"))",
                        dedupKey: "unmatched:\(message.guid):\(record.referenceGuid):\(record.returnStatus)"))
                } else if record.forKind == .inventory, record.returnStatus == "800" {
                    try await store.appendEvent(Event(
                        kind: .released, occurredAt: receivedAt, messageGuid: message.guid, code: "800",
                        detail: record.returnInfo, dedupKey: "released:\(record.referenceGuid)"))
                }
            }
            try await annotateTaxBills(message, records: records, results: results, at: receivedAt)
        } catch {
            throw .store(error)
        }
        return outcome
    }

    /// Puts each newly stored, linked tax bill (CEB816) and bill status (CEB818) on the
    /// inventory's timeline: the bill against the tax declared for it (``TaxBillCheck``).
    private func annotateTaxBills(_ message: DecodedMessage, records: [ReceiptRecord], results: [ReceiptOutcome], at time: Date) async throws(StoreError) {
        let linked = zip(records, results).filter { $0.0.forKind.isTaxBill && $0.1.inserted && $0.1.declarationId != nil }
        guard !linked.isEmpty else { return }
        let declarations = try await store.trace(.guid(message.guid))?.declarations ?? []
        for document in message.documents {
            switch document {
            case .taxBill(let bill):
                guard let id = linked.first(where: { $0.0.referenceGuid == bill.head.guid })?.1.declarationId else { continue }
                // The declared tax is the order's `taxTotal` (CEB311: what the platform collected from
                // the buyer); the inventory (CEB621) carries no tax of its own.
                let inventory = declarations.first { $0.id == id }
                let declared = declarations.first { $0.kind == .order && $0.orderNo != nil && $0.orderNo == inventory?.orderNo }?.taxTotal
                try await store.appendEvent(TaxBillCheck.event(bill, declared: declared, messageGuid: message.guid, at: time))
            case .taxStatus(let status):
                guard linked.contains(where: { $0.0.referenceGuid == status.head.guid }) else { continue }
                try await store.appendEvent(TaxBillCheck.event(status, messageGuid: message.guid, at: time))
            default:
                continue
            }
        }
    }
}
