import ClearanceRouting
import ClearanceStore
import Foundation

/// Webhooks: status changes pushed to the URL an enterprise registered.
///
/// When a customs receipt moves a declaration, the receipt message is queued in the outbox for
/// every enterprise named in that declaration (platform, e-commerce enterprise, logistics, agent,
/// sender) that has a webhook URL. The outbox worker delivers it like any routed message: signed
/// with the service key (XML-DSig, when `--key/--cert` are given), retried with backoff, dead-lettered
/// for ops after the destination's attempts — so webhooks survive restarts and never block intake.
/// Each POST also carries the enterprise's shared-secret signature (``WebhookSignature``:
/// `X-Clearance-Signature`, `X-Clearance-Event: receipt`, `X-Clearance-Delivery`). The destination
/// `webhook-<code>` is resolved from the store when the worker meets it (``WebhookDirectory``), so
/// webhooks registered, changed or removed while the service runs take effect without a restart.
public enum Webhooks {
    /// The event name of a receipt delivery.
    public static let receiptEvent = "receipt"
    /// The prefix of webhook destination names.
    static let destinationPrefix = "webhook-"

    /// The outbox destination name of an enterprise's webhook.
    public static func destinationName(_ code: String) -> String { destinationPrefix + code }

    /// The enterprise code of a webhook destination name, or nil for other destinations.
    public static func enterpriseCode(destination name: String) -> String? {
        name.hasPrefix(destinationPrefix) && name.count > destinationPrefix.count ? String(name.dropFirst(destinationPrefix.count)) : nil
    }

    /// The destination of an enterprise's webhook, or nil when it has none.
    public static func destination(for enterprise: EnterpriseRecord) -> DestinationConfig? {
        guard let url = enterprise.webhookURL, !url.isEmpty else { return nil }
        let signing = enterprise.webhookSecret.map { DestinationConfig.Signing(secret: $0, event: receiptEvent) }
        return DestinationConfig(
            name: destinationName(enterprise.code),
            transport: .http(.init(url: url, timeoutSeconds: 10, concurrency: 2, signing: signing,
                                   refusePrivateAddresses: !enterprise.webhookAllowPrivate)), profile: .standard,
            envelope: .none, maxAttempts: 12, maxAgeSeconds: 86_400)
    }

    /// Queues a receipt message for the webhooks of the enterprises named in the declarations it
    /// answers. Each enterprise receives only its own receipts: when the message also answers
    /// declarations of others, a copy holding just that enterprise's documents is stored (an
    /// outbound message of its own, `<guid>` of the copy derived from the receipt's and the code)
    /// and queued instead. Returns the destinations queued.
    @discardableResult
    static func notify(receipt decoded: DecodedMessage, store: any AccessStore) async throws -> [String] {
        // The store linked each receipt of this message to its declaration (by guid or business number).
        var codes: Set<String> = []
        if let timeline = try await store.trace(.guid(decoded.guid)) {
            let answered = Set(timeline.receipts.filter { $0.messageGuid == decoded.guid }.compactMap(\.declarationId))
            for d in timeline.declarations where answered.contains(d.id) {
                codes.formUnion([d.ebpCode, d.ebcCode, d.logisticsCode, d.agentCode, d.senderCode].compactMap { $0 })
            }
        }
        var queued: [String] = []
        var all: [UInt8]?  // the whole message as an enterprise's copy would be written, computed once
        for code in codes.sorted() {
            guard let enterprise = try await store.enterprise(code: code), enterprise.webhookURL?.isEmpty == false else { continue }
            let destination = destinationName(code)
            if all == nil { all = try MaskedXMLWriter.mask(decoded.bytes) }
            let guid = try await ownCopy(of: decoded, for: code, whole: all ?? [], store: store)
            try await store.enqueueOutbox(messageGuid: guid, destination: destination, notBefore: Date())
            queued.append(destination)
        }
        return queued
    }

    /// The guid of the message to send `code`: the receipt itself when every document in it names
    /// `code` as a party, else a stored copy with only those documents.
    /// - Parameter whole: the message written out with every document (what `own` is compared to).
    private static func ownCopy(of decoded: DecodedMessage, for code: String, whole: [UInt8], store: any AccessStore) async throws -> String {
        let own = try MaskedXMLWriter.mask(decoded.bytes, visibleTo: [code])
        guard own != whole else { return decoded.guid }
        let guid = derivedGuid(decoded.guid, code)
        let copy = MessageRecord(
            guid: guid, messageType: decoded.messageType, senderCode: code, direction: .outbound, receivedAt: Date(),
            rawBytes: own, signatureVerdict: SignatureVerdict.unsigned.rawValue)
        _ = try await store.ingest([IngestItem(message: copy)])
        return guid
    }

    /// A stable 36-character guid for the copy of `guid` sent to `code` (the same on a retry).
    static func derivedGuid(_ guid: String, _ code: String) -> String {
        let hex = SHA256Digest.hex(of: Array("webhook-copy:\(guid):\(code)".utf8))
        let h = Array(hex.uppercased())
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}
