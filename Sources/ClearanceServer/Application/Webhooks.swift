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
public enum Webhooks {
    /// The outbox destination name of an enterprise's webhook.
    public static func destinationName(_ code: String) -> String { "webhook-\(code)" }

    /// Destination settings for every enterprise with a webhook URL.
    public static func destinations(for enterprises: [EnterpriseRecord]) -> [String: DestinationConfig] {
        var out: [String: DestinationConfig] = [:]
        for e in enterprises {
            guard let url = e.webhookURL, !url.isEmpty else { continue }
            let name = destinationName(e.code)
            out[name] = DestinationConfig(
                name: name, transport: .http(.init(url: url, timeoutSeconds: 10, concurrency: 2)), profile: .standard,
                envelope: .none, maxAttempts: 12, maxAgeSeconds: 86_400)
        }
        return out
    }

    /// `table` with the webhook destinations added (routing rules never name them).
    public static func merge(_ table: RoutingTable, _ webhooks: [String: DestinationConfig]) -> RoutingTable {
        var merged = table
        merged.destinations.merge(webhooks) { routed, _ in routed }
        return merged
    }

    /// Queues a receipt message for the webhooks of the enterprises named in the declarations it answers.
    /// Returns the destinations queued.
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
        for code in codes.sorted() {
            guard let enterprise = try await store.enterprise(code: code), enterprise.webhookURL?.isEmpty == false else { continue }
            let destination = destinationName(code)
            try await store.enqueueOutbox(messageGuid: decoded.guid, destination: destination, notBefore: Date())
            queued.append(destination)
        }
        return queued
    }
}
