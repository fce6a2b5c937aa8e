/// The words of a schema the two engines spell differently, so that each migration is written
/// once and rendered per engine (``MigrationHistoryTests`` pins the rendered SQL of every shipped
/// migration, so a change here cannot silently edit history).
struct SchemaSpelling: Sendable {
    let dialect: SQLDialect
    /// A table's own key: SQLite's rowid alias, PostgreSQL's identity column.
    let rowID: String
    /// A 64-bit integer as the core tables spell it (SQLite's INTEGER is already 64-bit; later
    /// groups write BIGINT, which SQLite reads as INTEGER too).
    let int64: String
    /// An amount or quantity: exact NUMERIC in PostgreSQL, an INTEGER scaled by 10^5 in SQLite.
    let amount: String
    /// Raw bytes.
    let bytes: String
    /// After a table whose primary key is the whole story (SQLite can drop the hidden rowid).
    let withoutRowID: String

    static let sqlite = SchemaSpelling(dialect: .sqlite, rowID: "INTEGER PRIMARY KEY", int64: "INTEGER",
                                       amount: "INTEGER", bytes: "BLOB", withoutRowID: " WITHOUT ROWID")
    static let postgresql = SchemaSpelling(dialect: .postgresql, rowID: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                                           int64: "BIGINT", amount: "NUMERIC(19,5)", bytes: "BYTEA", withoutRowID: "")

    static func of(_ dialect: SQLDialect) -> SchemaSpelling { dialect == .sqlite ? .sqlite : .postgresql }
}
