import Foundation

/// Ops-page sign-in sessions: the browser holds a random token, the store only its SHA-256, tied
/// to the API key it was opened with so that revoking the key ends its sessions as well.
extension SQLStore {
    func openOpsSession(apiKeyHash: String, tokenHash: String, expiresAt: Date, now: Date) async throws(StoreError) -> OpsSessionOwner? {
        guard tokenHash.count == 64 else { throw .invalidInput("a session token hash is 64 hex characters") }
        return try await accessWrite { (s: any SQLSession) throws(StoreError) -> OpsSessionOwner? in
            _ = try s.execute("DELETE FROM ops_sessions WHERE expires_at <= $1", [.time(now)])
            guard try s.queryOne("""
                INSERT INTO ops_sessions (token_hash, api_key_id, created_at, expires_at)
                SELECT $1, id, $3, $4 FROM api_keys WHERE key_hash = $2 AND revoked_at IS NULL
                RETURNING id
                """, [.text(tokenHash.lowercased()), .text(apiKeyHash.lowercased()), .time(now), .time(expiresAt)]) != nil
            else { return nil }
            return try Self.sessionOwner(s, tokenHash: tokenHash, now: now)
        }
    }

    func opsSession(tokenHash: String, now: Date) async throws(StoreError) -> OpsSessionOwner? {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> OpsSessionOwner? in
            try Self.sessionOwner(s, tokenHash: tokenHash, now: now)
        }
    }

    @discardableResult
    func revokeOpsSession(tokenHash: String, now: Date) async throws(StoreError) -> Bool {
        try await accessWrite { (s: any SQLSession) throws(StoreError) -> Bool in
            try s.execute("""
                UPDATE ops_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2
                """, [.text(tokenHash.lowercased()), .time(now)]) > 0
        }
    }

    private static func sessionOwner(_ s: any SQLSession, tokenHash: String, now: Date) throws(StoreError) -> OpsSessionOwner? {
        guard let row = try s.queryOne("""
            SELECT \(qualifiedEnterpriseColumns), k.prefix
            FROM ops_sessions o JOIN api_keys k ON k.id = o.api_key_id JOIN enterprises e ON e.code = k.enterprise_code
            WHERE o.token_hash = $1 AND o.revoked_at IS NULL AND o.expires_at > $2 AND k.revoked_at IS NULL
            """, [.text(tokenHash.lowercased()), .time(now)]) else { return nil }
        return OpsSessionOwner(enterprise: try enterprise(row), keyPrefix: try row.requireString(12, "api_keys.prefix"))
    }
}
