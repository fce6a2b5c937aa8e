/// Schema of the credit list (issue #14), numbered after the access store's 46.
///
/// Version 47: `credit_list` (the list in force, one row per enterprise code, replaced whole per
/// import), `credit_imports` (every import: who, when, the file's digest, counts), and a partial
/// index on held declarations, which the holds page and the release read.
enum CreditMigrations {
    static let sqlite: [Migration] = [
        Migration(version: 47, name: "credit list and holds", sql: """
            CREATE TABLE credit_imports (
                id INTEGER PRIMARY KEY,
                imported_at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                file_name TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                entries INTEGER NOT NULL,
                grades TEXT NOT NULL
            );
            CREATE TABLE credit_list (
                code TEXT PRIMARY KEY,
                grade TEXT NOT NULL,
                source TEXT NOT NULL,
                valid_from BIGINT,
                valid_until BIGINT,
                import_id BIGINT NOT NULL
            );
            CREATE INDEX declarations_held_idx ON declarations (message_id) WHERE status = 'held for review';
            """),
    ]

    static let postgresql: [Migration] = [
        Migration(version: 47, name: "credit list and holds", sql: """
            CREATE TABLE credit_imports (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                imported_at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                file_name TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                entries INTEGER NOT NULL,
                grades TEXT NOT NULL
            );
            CREATE TABLE credit_list (
                code TEXT PRIMARY KEY,
                grade TEXT NOT NULL,
                source TEXT NOT NULL,
                valid_from BIGINT,
                valid_until BIGINT,
                import_id BIGINT NOT NULL
            );
            CREATE INDEX declarations_held_idx ON declarations (message_id) WHERE status = 'held for review';
            """),
    ]
}
