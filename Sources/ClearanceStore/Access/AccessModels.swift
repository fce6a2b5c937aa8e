import Foundation

/// What an enterprise account may do through the service.
public enum EnterpriseRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Uploads batches; sees only declarations in which its code appears.
    case merchant
    /// Sends single signed messages (platforms, payment and logistics systems, customs).
    case system
    /// Operations staff: sees everything, may reveal masked personal data (audited).
    case ops
    /// An authority that answers (customs, inspection, payment/FX, the cross-strait channel): the
    /// only role whose receipts are taken, each verified with its registered certificate. Stored
    /// as `system` with ``EnterpriseRecord/authority`` set (migration 45; the role column's CHECK
    /// of migration 40 cannot be altered on SQLite).
    case authority
}

/// An enterprise (or ops account) known to the service, by customs registration code or
/// unified social credit code.
public struct EnterpriseRecord: Sendable, Hashable {
    /// Customs registration code (10 characters) or social credit code (18); ops accounts use any name.
    public var code: String
    public var name: String
    public var role: EnterpriseRole
    /// Inbound single messages must carry a valid signature by ``certificatePEM``.
    public var requireSignature: Bool
    /// The signing certificate registered for this enterprise (PEM), if any.
    public var certificatePEM: String?
    /// Largest batch upload accepted, in bytes (nil: the service default).
    public var maxBatchBytes: Int64?
    /// Where status changes are pushed (webhook), if registered.
    public var webhookURL: String?
    /// The shared secret webhook deliveries are signed with (HMAC-SHA256, `X-Clearance-Signature`).
    /// Kept as given: the service needs it to sign, so it cannot be stored hashed.
    public var webhookSecret: String?
    /// Ops allowed ``webhookURL`` to name a loopback, link-local or private address (refused
    /// otherwise, at registration and again after DNS resolution at delivery: a webhook must not
    /// be a way into the service's own network).
    public var webhookAllowPrivate: Bool
    /// Lower-case hex SHA-256 of the DER client certificate accepted for mutual TLS, if any.
    public var clientCertificateSHA256: String?
    /// Which authority this account speaks for; set exactly when ``role`` is ``EnterpriseRole/authority``.
    public var authority: AuthorityKind?
    public var createdAt: Date

    /// Creates a record.
    public init(
        code: String, name: String, role: EnterpriseRole, requireSignature: Bool = false, certificatePEM: String? = nil,
        maxBatchBytes: Int64? = nil, webhookURL: String? = nil, webhookSecret: String? = nil, clientCertificateSHA256: String? = nil,
        authority: AuthorityKind? = nil, createdAt: Date = Date(), webhookAllowPrivate: Bool = false
    ) {
        self.webhookAllowPrivate = webhookAllowPrivate
        self.code = code
        self.name = name
        self.role = role
        self.requireSignature = requireSignature
        self.certificatePEM = certificatePEM
        self.maxBatchBytes = maxBatchBytes
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.clientCertificateSHA256 = clientCertificateSHA256
        self.authority = role == .authority ? (authority ?? .customs) : nil
        self.createdAt = createdAt
    }
}

/// An API key as stored: only its SHA-256 and a short public prefix are kept.
public struct APIKeyRecord: Sendable, Hashable {
    public var id: Int64
    public var enterpriseCode: String
    /// The first characters of the key, shown to identify it (never enough to use it).
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?
}

/// Who an ops-page sign-in session belongs to: the enterprise and the public prefix of the API key
/// it was opened with (revoking that key ends the session too).
public struct OpsSessionOwner: Sendable, Hashable {
    public var enterprise: EnterpriseRecord
    public var keyPrefix: String

    /// Creates an owner.
    public init(enterprise: EnterpriseRecord, keyPrefix: String) {
        self.enterprise = enterprise
        self.keyPrefix = keyPrefix
    }
}

/// What `/health` and `/metrics` read from the store, in one cheap query: the outbox rows not yet
/// delivered (pending, in flight, dead) by status, and when the oldest one still to deliver was
/// queued. Delivered rows, which only grow, are not counted.
public struct OutboxFigures: Sendable, Hashable {
    public var rows: [OutboxStatus: Int]
    public var oldestUndelivered: Date?

    /// Creates figures.
    public init(rows: [OutboxStatus: Int], oldestUndelivered: Date?) {
        self.rows = rows
        self.oldestUndelivered = oldestUndelivered
    }

    /// Rows still to deliver (pending and in flight).
    public var depth: Int { (rows[.pending] ?? 0) + (rows[.inFlight] ?? 0) }
}

/// Progress of one uploaded batch.
public struct BatchRecord: Sendable, Hashable {
    /// Processing state of a batch.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case receiving
        case completed
        case failed
    }
    public var id: String
    public var enterpriseCode: String
    public var status: Status
    public var bytes: Int64
    public var documents: Int
    public var invalidDocuments: Int
    public var declarationsInserted: Int
    public var declarationsSkipped: Int
    public var receiptsInserted: Int
    public var errorCount: Int
    public var warningCount: Int
    public var messageGuid: String?
    public var messageType: String?
    /// Why the batch failed as a whole (unreadable XML, too large, store failure…).
    public var failure: String?
    /// What the clearance flow did with the completed batch (e.g. `routed → customs-fuzhou`,
    /// `awaiting documents: …`, `refused: MAT003 …`); nil until it is forwarded.
    public var routing: String?
    /// The inbound signature gate's verdict on the whole batch (`valid`, `unsigned`, `invalid`,
    /// `unchecked`); nil until the upload ends. A refused signature keeps the batch from going on.
    public var signature: String?
    public var createdAt: Date
    public var updatedAt: Date

    /// A new batch in the `receiving` state.
    public init(id: String, enterpriseCode: String, now: Date = Date()) {
        self.id = id
        self.enterpriseCode = enterpriseCode
        status = .receiving
        bytes = 0
        documents = 0
        invalidDocuments = 0
        declarationsInserted = 0
        declarationsSkipped = 0
        receiptsInserted = 0
        errorCount = 0
        warningCount = 0
        createdAt = now
        updatedAt = now
    }
}

/// One validation problem of one document of a batch.
public struct BatchErrorRecord: Sendable, Hashable, Encodable {
    public var batchId: String
    /// 1-based position of the document in the batch (0 for message-level problems).
    public var documentIndex: Int
    /// The document's business key (orderNo, copNo…) when known.
    public var recordKey: String?
    public var line: Int
    public var column: Int
    public var code: String
    /// `error` or `warning`.
    public var severity: String
    public var field: String?
    public var message: String

    /// Creates a record.
    public init(batchId: String, documentIndex: Int, recordKey: String?, line: Int, column: Int, code: String,
                severity: String, field: String?, message: String) {
        self.batchId = batchId
        self.documentIndex = documentIndex
        self.recordKey = recordKey
        self.line = line
        self.column = column
        self.code = code
        self.severity = severity
        self.field = field
        self.message = message
    }

    /// The API's `BatchError`: the document's index and record key under their short names, not the batch id.
    private enum CodingKeys: String, CodingKey {
        case documentIndex = "document", recordKey = "key", line, column, code, severity, field, message
    }
}

/// The answer given to the first submission of a message, replayed to duplicates.
public struct StoredAnswer: Sendable, Hashable {
    public var guid: String
    public var enterpriseCode: String
    public var httpStatus: Int
    /// The response body exactly as first sent (JSON, personal data masked).
    public var body: String
    public var createdAt: Date

    /// Creates an answer.
    public init(guid: String, enterpriseCode: String, httpStatus: Int, body: String, createdAt: Date = Date()) {
        self.guid = guid
        self.enterpriseCode = enterpriseCode
        self.httpStatus = httpStatus
        self.body = body
        self.createdAt = createdAt
    }
}

/// One audit-log line: who did what to what.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var target: String
    public var detail: String?

    /// Creates an entry (the id is assigned by the store).
    public init(id: Int64 = 0, at: Date = Date(), actor: String, action: String, target: String, detail: String? = nil) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}
