/// Schema of the export summary declaration (issue #13), numbered from 60 so it stays clear of
/// the core, flow, access and credit groups being extended in parallel.
///
/// Version 60: `export_summaries`, one row per export inventory put in a summary application
/// (CEB701). Its primary key is the inventory, so an inventory is summarised once whatever runs
/// concurrently; the row keeps the application's copNo and period, then what customs answered:
/// `sum_no`, `decl_seq_no`, `entry_id` (the export declaration number) and `dec_state` (CEB792).
/// A returned application (CEB702 100) deletes its rows, so its inventories may be summarised again.
enum ExportMigrations {
    static func all(_ s: SchemaSpelling) -> [Migration] { [
        Migration(version: 60, name: "export summary declarations", sql: """
            CREATE TABLE export_summaries (
                inventory_id \(s.int64) PRIMARY KEY REFERENCES declarations (id),
                cop_no TEXT NOT NULL,
                period TEXT NOT NULL,
                ebc_code TEXT NOT NULL,
                sum_no TEXT,
                decl_seq_no TEXT,
                entry_id TEXT,
                dec_state TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX export_summaries_cop_no_idx ON export_summaries (cop_no);
            CREATE INDEX export_summaries_ebc_period_idx ON export_summaries (ebc_code, period);
            """),
    ] }
}
