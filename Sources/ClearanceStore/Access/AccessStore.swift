import Foundation

/// The store operations the HTTP service needs beyond ``Store``: enterprises and hashed API keys,
/// batch progress and errors, replayable answers to single messages, the audit log, and the
/// receipt polling feed.
///
/// Both engines implement it; get it with ``openAccessStore(url:options:)`` or by casting a ``Store``.
public protocol AccessStore: ClearanceFlowStore {
    /// Creates or replaces an enterprise (its keys are kept).
    func upsertEnterprise(_ enterprise: EnterpriseRecord) async throws(StoreError)
    /// The enterprise with this code, or nil.
    func enterprise(code: String) async throws(StoreError) -> EnterpriseRecord?
    /// Every enterprise, by code.
    func enterprises() async throws(StoreError) -> [EnterpriseRecord]
    /// The enterprise whose mutual-TLS client certificate has this SHA-256 (hex), or nil.
    func enterprise(clientCertificateSHA256: String) async throws(StoreError) -> EnterpriseRecord?

    /// Stores a new API key by its SHA-256 (hex) and public prefix. Throws
    /// ``StoreError/notFound(_:)`` for an unknown enterprise.
    func createAPIKey(enterpriseCode: String, keyHash: String, prefix: String, now: Date) async throws(StoreError) -> APIKeyRecord
    /// Revokes the enterprise's active keys with this prefix; returns how many were revoked.
    func revokeAPIKey(enterpriseCode: String, prefix: String, now: Date) async throws(StoreError) -> Int
    /// The enterprise's keys, newest first.
    func apiKeys(enterpriseCode: String) async throws(StoreError) -> [APIKeyRecord]
    /// The enterprise owning the active (not revoked) key with this hash, or nil.
    func enterprise(apiKeyHash: String) async throws(StoreError) -> EnterpriseRecord?

    /// Opens an ops-page session for the active key with hash `apiKeyHash`, stored by the SHA-256 of
    /// its random token (`tokenHash`); returns its owner, or nil when the key is unknown or revoked.
    /// Expired sessions are deleted on the way.
    func openOpsSession(apiKeyHash: String, tokenHash: String, expiresAt: Date, now: Date) async throws(StoreError) -> OpsSessionOwner?
    /// The owner of the live session with this token hash: not expired, not revoked, its key not
    /// revoked; nil otherwise.
    func opsSession(tokenHash: String, now: Date) async throws(StoreError) -> OpsSessionOwner?
    /// Ends a session (sign-out); returns whether a live one was ended.
    @discardableResult
    func revokeOpsSession(tokenHash: String, now: Date) async throws(StoreError) -> Bool

    /// The outbox figures of the health and metrics endpoints: one query over the undelivered rows
    /// (an index on status serves it), never a count of whole tables.
    func outboxFigures() async throws(StoreError) -> OutboxFigures

    /// Saves a batch's progress (insert or update by id).
    func saveBatch(_ batch: BatchRecord) async throws(StoreError)
    /// The batch with this id, or nil.
    func batch(id: String) async throws(StoreError) -> BatchRecord?
    /// Batches, newest first, optionally of one enterprise.
    func batches(enterpriseCode: String?, limit: Int) async throws(StoreError) -> [BatchRecord]
    /// Appends per-document errors of a batch.
    func addBatchErrors(_ errors: [BatchErrorRecord]) async throws(StoreError)
    /// A batch's errors in the order they were found, at most `limit` from `offset`.
    func batchErrors(batchId: String, offset: Int, limit: Int) async throws(StoreError) -> [BatchErrorRecord]

    /// How many of a stored message's declarations are in each status: a batch's verdicts as they
    /// stand now (waiting inventories move on as their documents arrive).
    func declarationCounts(messageGuid: String) async throws(StoreError) -> [DeclarationStatus: Int]

    /// A page of a stored message's declarations, in document order, optionally of one status.
    func declarations(messageGuid: String, status: DeclarationStatus?, offset: Int, limit: Int) async throws(StoreError) -> [DeclarationSummary]

    /// Records the first answer to a message; when one is already stored for the guid, returns
    /// that one unchanged (so a duplicate gets the original answer).
    func storeAnswer(_ answer: StoredAnswer) async throws(StoreError) -> StoredAnswer
    /// The stored answer for a message guid, or nil.
    func answer(guid: String) async throws(StoreError) -> StoredAnswer?

    /// Appends an audit entry and returns its id.
    @discardableResult
    func appendAudit(_ entry: AuditEntry) async throws(StoreError) -> Int64
    /// Audit entries, newest first.
    func auditEntries(limit: Int) async throws(StoreError) -> [AuditEntry]

    /// Receipts stored after receipt id `after`, oldest first; with `enterpriseCode`, only those
    /// answering a declaration in which that code appears (platform, e-commerce enterprise,
    /// logistics, agent, payment or sender).
    func receiptFeed(after: Int64, enterpriseCode: String?, limit: Int) async throws(StoreError) -> [ReceiptSummary]

    /// Messages whose raw bytes are complete, newest first (for the ops page).
    func recentMessages(limit: Int) async throws(StoreError) -> [MessageSummary]

    /// The rows behind the ops overview's time charts: releases, receipts and outbox changes since
    /// `since`, message counts per minute and type since `messagesSince`; each list at most `limit` rows.
    func opsSeries(since: Date, messagesSince: Date, limit: Int) async throws(StoreError) -> OpsSeries

    // MARK: Buyer's page

    /// A random 32-byte secret of this database named `name`, created on first use and the same
    /// ever after (e.g. the key of the buyer page's links when none is configured). Whoever can read
    /// the database can read it: deployments that care configure their own secret instead.
    func storeSecret(named name: String) async throws(StoreError) -> [UInt8]
    /// The goods lines of one declaration, by line number (at most `limit`).
    func declarationLines(declarationId: Int64, limit: Int) async throws(StoreError) -> [DeclarationLineRecord]
    /// The `orderNo` of a declaration by row id (nil when there is no such row or it has none).
    func orderNo(declarationId: Int64) async throws(StoreError) -> String?
}

/// Opens a store that supports the HTTP service (both engines do).
public func openAccessStore(url: String?, options: StoreOptions = StoreOptions()) async throws(StoreError) -> any AccessStore {
    let store = try await openStore(url: url, options: options)
    guard let access = store as? any AccessStore else {
        await store.close()
        throw .invalidInput("this store does not support the HTTP service")
    }
    return access
}
