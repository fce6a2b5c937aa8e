/// The core store's schema (messages, declarations, lines, receipts, events, outbox), written once
/// for both engines: the same tables, keys and names; what the engines spell differently comes from
/// ``SchemaSpelling``. Times are 64-bit Unix milliseconds (PostgreSQL: `to_timestamp(x / 1000.0)`
/// for ad-hoc queries); amounts and quantities are NUMERIC(19,5) in PostgreSQL and INTEGER scaled
/// by 10^5 in SQLite (``FixedDecimal/scaled``); raw messages are BYTEA / BLOB.
enum CoreMigrations {
    static func all(_ s: SchemaSpelling) -> [Migration] { [
        Migration(version: 1, name: "messages, declarations, lines, receipts, events", sql: """
            CREATE TABLE messages (
                id \(s.rowID),
                guid TEXT NOT NULL UNIQUE,
                message_type TEXT NOT NULL,
                sender_code TEXT NOT NULL,
                direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                received_at \(s.int64) NOT NULL,
                sha256 TEXT NOT NULL,
                raw \(s.bytes) NOT NULL,
                signature_verdict TEXT NOT NULL
            );
            CREATE INDEX messages_type_idx ON messages (message_type, direction);
            CREATE INDEX messages_sha256_idx ON messages (sha256);

            CREATE TABLE declarations (
                id \(s.rowID),
                kind TEXT NOT NULL,
                message_id \(s.int64) NOT NULL REFERENCES messages (id),
                declaration_guid TEXT NOT NULL,
                sender_code TEXT NOT NULL,
                dedup_key TEXT NOT NULL,
                app_type TEXT,
                app_time \(s.int64),
                order_no TEXT,
                logistics_no TEXT,
                invt_no TEXT,
                cop_no TEXT,
                pre_no TEXT,
                pay_transaction_id TEXT,
                bill_no TEXT,
                ebp_code TEXT,
                ebc_code TEXT,
                logistics_code TEXT,
                agent_code TEXT,
                pay_code TEXT,
                customs_code TEXT,
                port_code TEXT,
                trade_mode TEXT,
                ie_flag TEXT,
                buyer_id_type TEXT,
                buyer_id_hash TEXT,
                buyer_id_masked TEXT,
                buyer_name TEXT,
                buyer_phone_masked TEXT,
                goods_value \(s.amount),
                freight \(s.amount),
                tax_total \(s.amount),
                actural_paid \(s.amount),
                currency TEXT,
                status TEXT NOT NULL,
                created_at \(s.int64) NOT NULL,
                UNIQUE (kind, sender_code, dedup_key)
            );
            CREATE INDEX declarations_order_no_idx ON declarations (order_no);
            CREATE INDEX declarations_logistics_no_idx ON declarations (logistics_no);
            CREATE INDEX declarations_invt_no_idx ON declarations (invt_no);
            CREATE INDEX declarations_cop_no_idx ON declarations (cop_no);
            CREATE INDEX declarations_guid_idx ON declarations (declaration_guid);
            CREATE INDEX declarations_message_idx ON declarations (message_id);
            CREATE INDEX declarations_buyer_idx ON declarations (buyer_id_hash);
            CREATE INDEX declarations_kind_status_idx ON declarations (kind, status);

            CREATE TABLE declaration_lines (
                declaration_id \(s.int64) NOT NULL REFERENCES declarations (id),
                gnum INTEGER NOT NULL,
                item_no TEXT,
                item_name TEXT,
                gcode TEXT,
                qty \(s.amount),
                unit TEXT,
                price \(s.amount),
                total_price \(s.amount),
                currency TEXT,
                country TEXT,
                PRIMARY KEY (declaration_id, gnum)
            )\(s.withoutRowID);

            CREATE TABLE receipts (
                id \(s.rowID),
                message_id \(s.int64) NOT NULL REFERENCES messages (id),
                for_kind TEXT NOT NULL,
                reference_guid TEXT NOT NULL,
                return_status TEXT NOT NULL,
                return_time TEXT NOT NULL,
                return_info TEXT,
                order_no TEXT,
                logistics_no TEXT,
                invt_no TEXT,
                cop_no TEXT,
                pre_no TEXT,
                pay_transaction_id TEXT,
                ebp_code TEXT,
                ebc_code TEXT,
                logistics_code TEXT,
                agent_code TEXT,
                customs_code TEXT,
                declaration_id \(s.int64) REFERENCES declarations (id),
                created_at \(s.int64) NOT NULL,
                UNIQUE (for_kind, reference_guid, return_status, return_time)
            );
            CREATE INDEX receipts_declaration_idx ON receipts (declaration_id);
            CREATE INDEX receipts_message_idx ON receipts (message_id);

            CREATE TABLE events (
                id \(s.rowID),
                kind TEXT NOT NULL,
                occurred_at \(s.int64) NOT NULL,
                message_id \(s.int64) REFERENCES messages (id),
                declaration_id \(s.int64) REFERENCES declarations (id),
                receipt_id \(s.int64) REFERENCES receipts (id),
                code TEXT,
                detail TEXT,
                dedup_key TEXT UNIQUE,
                recorded_at \(s.int64) NOT NULL
            );
            CREATE INDEX events_message_idx ON events (message_id);
            CREATE INDEX events_declaration_idx ON events (declaration_id);
            \(eventsAppendOnly(s.dialect))
            """),
        Migration(version: 2, name: "outbox and settings", sql: """
            CREATE TABLE outbox (
                id \(s.rowID),
                message_id \(s.int64) NOT NULL REFERENCES messages (id),
                destination TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'in-flight', 'delivered', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at \(s.int64) NOT NULL,
                last_error TEXT,
                created_at \(s.int64) NOT NULL,
                updated_at \(s.int64) NOT NULL,
                UNIQUE (message_id, destination)
            );
            CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id)
                WHERE status IN ('pending', 'in-flight');

            CREATE TABLE store_settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        Migration(version: 3, name: "streamed messages in parts", sql: """
            ALTER TABLE messages ADD COLUMN size \(s.int64);
            ALTER TABLE messages ADD COLUMN complete INTEGER NOT NULL DEFAULT 1 CHECK (complete IN (0, 1));
            UPDATE messages SET size = length(raw);
            CREATE INDEX messages_incomplete_idx ON messages (id) WHERE complete = 0;

            CREATE TABLE message_parts (
                message_id \(s.int64) NOT NULL REFERENCES messages (id),
                part_no INTEGER NOT NULL,
                bytes \(s.bytes) NOT NULL,
                PRIMARY KEY (message_id, part_no)
            );\(s.dialect == .postgresql ? "\nALTER TABLE message_parts ALTER COLUMN bytes SET STORAGE EXTERNAL;" : "")
            """),
        // Raw XML compresses about tenfold with lz4 at a fraction of the cost of writing it
        // uncompressed (measured: a 336 MB batch ingests ~10 % faster). Servers built without
        // lz4 keep PostgreSQL's default compression; SQLite stores blobs as they are (the version
        // is kept so both engines number alike).
        Migration(version: 4, name: "compress raw message parts", sql: s.dialect == .sqlite ? """
            -- nothing to change in SQLite
            """ : """
            ALTER TABLE message_parts ALTER COLUMN bytes SET STORAGE EXTENDED;
            DO $$ BEGIN
                ALTER TABLE message_parts ALTER COLUMN bytes SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN NULL;
            END $$;
            """),
        // Every column a business key can come from is indexed, so looking a declaration up by
        // its business key (the flow's life-cycle check) never scans a whole kind.
        Migration(version: 5, name: "index every business-key column", sql: """
            CREATE INDEX declarations_pay_transaction_idx ON declarations (pay_transaction_id);
            CREATE INDEX declarations_bill_no_idx ON declarations (bill_no);
            """),
        // An index on (kind, status) let the planner "narrow" business-key and receipt look-ups
        // by kind: a bitmap of every declaration of that kind, per message. Only the waiting
        // inventories need a status index; a partial one holds just them.
        Migration(version: 6, name: "index only waiting declarations by kind", sql: """
            DROP INDEX declarations_kind_status_idx;
            CREATE INDEX declarations_awaiting_idx ON declarations (kind) WHERE status = 'awaiting documents';
            """),
        // Customs gives an inventory its invtNo in a receipt; later documents quoting only that
        // number (tax bills, cancellations) find the inventory through the receipt, by this index.
        Migration(version: 7, name: "index receipts by invtNo", sql: """
            CREATE INDEX receipts_invt_no_idx ON receipts (invt_no) WHERE invt_no IS NOT NULL;
            """),
        // The ops overview's time charts read the last day of events, messages and outbox changes:
        // by time, so their queries read that window and not the whole history.
        Migration(version: 8, name: "index events, messages and outbox rows by time", sql: """
            CREATE INDEX events_kind_time_idx ON events (kind, occurred_at);
            CREATE INDEX messages_received_idx ON messages (received_at);
            CREATE INDEX outbox_updated_idx ON outbox (updated_at);
            """),
        // A single message's raw XML sits in `messages.raw` (a batch's first piece too), compressed
        // with PostgreSQL's default pglz: 27 µs a 3.3 KB order against lz4's 10 µs (20,000 rows
        // inserted in one statement, this machine), on every accepted message, for a quarter
        // less space. Only new values change; SQLite keeps the version so both engines number alike.
        Migration(version: 9, name: "compress raw messages with lz4", sql: s.dialect == .sqlite ? """
            -- nothing to change in SQLite
            """ : """
            DO $$ BEGIN
                ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN NULL;
            END $$;
            """),
    ] }

    /// `events` is append-only: SQLite aborts updates and deletes in triggers; PostgreSQL raises
    /// from one function for updates, deletes and TRUNCATE (which row triggers do not see).
    private static func eventsAppendOnly(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: """
            CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
            CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
            """
        case .postgresql: """
            CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN RAISE EXCEPTION 'events is append-only'; END;
                $fn$;
            CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
                FOR EACH ROW EXECUTE FUNCTION events_append_only();
            CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
                FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
            """
        }
    }
}
