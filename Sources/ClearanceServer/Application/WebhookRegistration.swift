import ClearanceRouting
import ClearanceStore
import Foundation

/// What registering a webhook did.
public struct WebhookRegistration: Sendable, Hashable {
    /// The URL now registered.
    public var url: String
    /// The new signing secret, when one was created (shown once: it is not printed again).
    public var newSecret: String?
}

extension EnterpriseAdmin {
    /// Registers (or changes) an enterprise's webhook URL. A signing secret is created when the
    /// enterprise has none yet, or when `rotateSecret` is set; the running service picks the change
    /// up within its directory cache time, without a restart.
    /// `allowPrivate` (stored with the webhook) lets it point at a loopback, link-local or private
    /// address; without it such URLs are refused here and at every delivery (``PrivateAddresses``).
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown enterprise, ``StoreError/invalidInput(_:)``
    ///   for a URL that is not http(s) or names a non-public address without `allowPrivate`.
    public func registerWebhook(
        enterpriseCode: String, url: String, rotateSecret: Bool = false, allowPrivate: Bool = false, actor: String
    ) async throws(StoreError) -> WebhookRegistration {
        do {
            try PrivateAddresses.checkURL(url, allowPrivate: allowPrivate)
        } catch {
            throw .invalidInput(error.message)
        }
        guard var record = try await store.enterprise(code: enterpriseCode) else { throw .notFound("enterprise \(enterpriseCode)") }
        var created: String?
        if record.webhookSecret == nil || rotateSecret {
            created = WebhookSignature.generateSecret()
            record.webhookSecret = created
        }
        record.webhookURL = url
        record.webhookAllowPrivate = allowPrivate
        try await store.upsertEnterprise(record)
        let notes = [created == nil ? nil : "new secret", allowPrivate ? "private address allowed" : nil].compactMap { $0 }
        try await store.appendAudit(AuditEntry(
            actor: actor, action: "webhook.register", target: enterpriseCode,
            detail: notes.isEmpty ? url : "\(url) (\(notes.joined(separator: ", ")))"))
        return WebhookRegistration(url: url, newSecret: created)
    }

    /// Removes an enterprise's webhook and its secret; returns whether it had one. Receipts
    /// already queued for it are dead-lettered once the running service notices.
    public func removeWebhook(enterpriseCode: String, actor: String) async throws(StoreError) -> Bool {
        guard var record = try await store.enterprise(code: enterpriseCode) else { throw .notFound("enterprise \(enterpriseCode)") }
        let had = record.webhookURL != nil
        record.webhookURL = nil
        record.webhookSecret = nil
        record.webhookAllowPrivate = false
        try await store.upsertEnterprise(record)
        try await store.appendAudit(AuditEntry(actor: actor, action: "webhook.remove", target: enterpriseCode))
        return had
    }
}
