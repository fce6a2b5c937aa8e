import ClearanceStore

/// API keys: random secrets shown once, stored only as SHA-256.
///
/// Format: `clr_` + 48 lower-case hex characters (24 random bytes from the system CSPRNG). The
/// first 12 characters are the key's public prefix, used to name it (e.g. for revoking).
public enum APIKey {
    /// Characters of the public prefix.
    public static let prefixLength = 12

    /// A new random key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "clr_" + bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Lower-case hex SHA-256 of a key, as stored.
    public static func hash(_ key: String) -> String { SHA256Digest.hex(of: Array(key.utf8)) }

    /// Lower-case hex SHA-256 of bytes (client certificate digests).
    public static func hash(_ bytes: [UInt8]) -> String { SHA256Digest.hex(of: bytes) }

    /// The public prefix of a key.
    public static func prefix(of key: String) -> String { String(key.prefix(prefixLength)) }

    /// Whether a string looks like a key (so obviously wrong input is refused without a lookup).
    public static func isWellFormed(_ key: String) -> Bool {
        key.hasPrefix("clr_") && key.count == 52 && key.utf8.dropFirst(4).allSatisfy { c in
            (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
        }
    }
}

/// Creates and revokes API keys for enterprises (the `clearance enterprise` commands use it).
public struct EnterpriseAdmin: Sendable {
    let store: any AccessStore

    /// Administers enterprises in `store`.
    public init(store: any AccessStore) { self.store = store }

    /// Adds (or updates) an enterprise.
    public func addEnterprise(_ record: EnterpriseRecord, actor: String) async throws(StoreError) {
        try await store.upsertEnterprise(record)
        try await store.appendAudit(AuditEntry(actor: actor, action: "enterprise.add", target: record.code, detail: record.role.rawValue))
    }

    /// Creates a key for an enterprise and returns the secret (shown once; only its hash is kept).
    public func createKey(enterpriseCode: String, actor: String) async throws(StoreError) -> (key: String, record: APIKeyRecord) {
        let key = APIKey.generate()
        let record = try await store.createAPIKey(
            enterpriseCode: enterpriseCode, keyHash: APIKey.hash(key), prefix: APIKey.prefix(of: key), now: .now)
        try await store.appendAudit(AuditEntry(actor: actor, action: "key.create", target: enterpriseCode, detail: record.prefix))
        return (key, record)
    }

    /// Revokes an enterprise's key by prefix; returns how many keys were revoked.
    public func revokeKey(enterpriseCode: String, prefix: String, actor: String) async throws(StoreError) -> Int {
        let count = try await store.revokeAPIKey(enterpriseCode: enterpriseCode, prefix: prefix, now: .now)
        try await store.appendAudit(AuditEntry(actor: actor, action: "key.revoke", target: enterpriseCode, detail: prefix))
        return count
    }

    /// Registers the client certificate (DER) that authenticates the enterprise over mutual TLS.
    public func registerClientCertificate(enterpriseCode: String, der: [UInt8], actor: String) async throws(StoreError) {
        guard var record = try await store.enterprise(code: enterpriseCode) else { throw .notFound("enterprise \(enterpriseCode)") }
        record.clientCertificateSHA256 = APIKey.hash(der)
        try await store.upsertEnterprise(record)
        try await store.appendAudit(AuditEntry(
            actor: actor, action: "client-cert.register", target: enterpriseCode, detail: record.clientCertificateSHA256))
    }

    /// Registers the signing certificate (PEM) of an enterprise and whether signatures are required.
    public func registerCertificate(enterpriseCode: String, pem: String, require: Bool, actor: String) async throws(StoreError) {
        guard var record = try await store.enterprise(code: enterpriseCode) else { throw .notFound("enterprise \(enterpriseCode)") }
        record.certificatePEM = pem
        record.requireSignature = require
        try await store.upsertEnterprise(record)
        try await store.appendAudit(AuditEntry(actor: actor, action: "cert.register", target: enterpriseCode))
    }
}
