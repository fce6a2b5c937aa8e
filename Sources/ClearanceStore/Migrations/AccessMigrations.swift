/// Schema additions of the HTTP service, numbered from 40 so they never collide with the core
/// store's or the clearance flow's versions: enterprises and their hashed API keys, uploaded
/// batches with their per-document errors, the first answer to each single message (replayed to
/// duplicates) and the audit log of personal-data reveals and account changes; version 41 adds the
/// SHA-256 of each enterprise's client certificate for mutual TLS; version 42 the secret webhook
/// deliveries are signed with; version 44 the ops-page sign-in sessions (only a hash of each
/// session token is kept, so a copy of the database signs no one in) and the ops allowance for a
/// webhook on a private or loopback address.
enum AccessMigrations {
    static func all(_ s: SchemaSpelling) -> [Migration] { [
        Migration(version: 40, name: "service accounts, batches, answers, audit", sql: """
            CREATE TABLE enterprises (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('merchant', 'system', 'ops')),
                require_signature INTEGER NOT NULL DEFAULT 0 CHECK (require_signature IN (0, 1)),
                certificate_pem TEXT,
                max_batch_bytes BIGINT,
                webhook_url TEXT,
                created_at BIGINT NOT NULL
            );

            CREATE TABLE api_keys (
                id \(s.rowID),
                enterprise_code TEXT NOT NULL REFERENCES enterprises (code),
                key_hash TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            );
            CREATE INDEX api_keys_enterprise_idx ON api_keys (enterprise_code);

            CREATE TABLE batches (
                id TEXT PRIMARY KEY,
                enterprise_code TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('receiving', 'completed', 'failed')),
                bytes BIGINT NOT NULL DEFAULT 0,
                documents INTEGER NOT NULL DEFAULT 0,
                invalid_documents INTEGER NOT NULL DEFAULT 0,
                declarations_inserted INTEGER NOT NULL DEFAULT 0,
                declarations_skipped INTEGER NOT NULL DEFAULT 0,
                receipts_inserted INTEGER NOT NULL DEFAULT 0,
                error_count INTEGER NOT NULL DEFAULT 0,
                warning_count INTEGER NOT NULL DEFAULT 0,
                message_guid TEXT,
                message_type TEXT,
                failure TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX batches_enterprise_idx ON batches (enterprise_code, created_at);

            CREATE TABLE batch_errors (
                id \(s.rowID),
                batch_id TEXT NOT NULL REFERENCES batches (id),
                document_index INTEGER NOT NULL,
                record_key TEXT,
                line INTEGER NOT NULL,
                col INTEGER NOT NULL,
                code TEXT NOT NULL,
                severity TEXT NOT NULL,
                field TEXT,
                message TEXT NOT NULL
            );
            CREATE INDEX batch_errors_batch_idx ON batch_errors (batch_id, id);

            CREATE TABLE message_answers (
                guid TEXT PRIMARY KEY,
                enterprise_code TEXT NOT NULL,
                http_status INTEGER NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );

            CREATE TABLE audit_log (
                id \(s.rowID),
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT
            );
            """),
        Migration(version: 41, name: "client certificates for mutual TLS", sql: """
            ALTER TABLE enterprises ADD COLUMN client_cert_sha256 TEXT;
            CREATE UNIQUE INDEX enterprises_client_cert_idx ON enterprises (client_cert_sha256);
            """),
        Migration(version: 42, name: "webhook signing secrets", sql: """
            ALTER TABLE enterprises ADD COLUMN webhook_secret TEXT;
            """),
        Migration(version: 43, name: "what the flow did with a batch", sql: """
            ALTER TABLE batches ADD COLUMN routing TEXT;
            """),
        Migration(version: 44, name: "ops sign-in sessions, private webhook allowance", sql: """
            CREATE TABLE ops_sessions (
                id \(s.rowID),
                token_hash TEXT NOT NULL UNIQUE,
                api_key_id BIGINT NOT NULL REFERENCES api_keys (id),
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT
            );
            CREATE INDEX ops_sessions_expiry_idx ON ops_sessions (expires_at);
            ALTER TABLE enterprises ADD COLUMN webhook_allow_private INTEGER NOT NULL DEFAULT 0;
            """),
        Migration(version: 45, name: "authority accounts", sql: """
            ALTER TABLE enterprises ADD COLUMN authority TEXT;
            """),
        Migration(version: 46, name: "a batch's signature verdict", sql: """
            ALTER TABLE batches ADD COLUMN signature TEXT;
            """),
    ] }
}
