/// PostgreSQL partitions for the tables that grow fastest: raw message parts (every byte of every
/// batch), declaration lines (several rows per declaration), the outbox (a row per message and
/// destination, since migration 74) and events (several per message, since migration 75).
///
/// The first three are partitioned by `RANGE` of their parent's id (`message_parts.message_id`,
/// `declaration_lines.declaration_id`, `outbox.message_id`), events by their own id. Those ids are
/// identity values handed out in arrival order, so a range of them is a span of time
/// (``PartitionPolicy`` sizes each partition to about one period's ids), and the children's keys need
/// no change: a unique key on a partitioned table must contain the partition column, and theirs start
/// with it. Every read of them names its parent's id, so it touches one partition. The events' dedup
/// key could not stay unique on them: it moved to `event_keys`; message heads and declarations followed
/// (migrations 78 and 79), their global keys moved to `message_keys` and `declaration_keys`, which a
/// resend a year later still meets. Receipts stay whole.
///
/// The rows already stored become the first partition (attached: one scan to check its bound); a
/// `DEFAULT` partition takes any row beyond the partitions made ahead, so a write never fails
/// because maintenance has not run (``SQLStore/maintainPartitions(_:now:)`` moves such rows out).
/// `store_partitions` records every partition with its id range and, once detached for archiving,
/// when: a read of an archived message says so instead of returning a truncated one. SQLite keeps
/// one table each (the version is recorded so both engines number alike).
enum PartitionMigrations {
    /// The setting partition maintenance turns on, for its transaction, while it moves rows out of a
    /// default partition (``SQLStore``'s `makeAhead`): the one delete the triggers below let through.
    static let movingPartitionRows = "clearance.moving_partition_rows"

    /// PL/pgSQL for a row trigger of `declarations`: nothing to do when maintenance moves the row out
    /// of the default partition (a delete there; the insert goes into a table attached afterwards,
    /// where no trigger fires, ids unchanged). Its second line carries the function body's indentation.
    private static let declarationsMovedThrough = """
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'declarations_default'
                AND current_setting('\(movingPartitionRows)', true) = 'on' THEN RETURN NULL; END IF;
        """

    static func all(_ s: SchemaSpelling) -> [Migration] { [
        Migration(version: 70, name: "partition raw message parts and declaration lines by their parent's id",
                  sql: s.dialect == .sqlite ? "-- SQLite keeps one table each" : """
            CREATE TABLE store_partitions (
                name TEXT PRIMARY KEY,
                parent_table TEXT NOT NULL,
                low BIGINT NOT NULL,
                high BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                detached_at BIGINT
            );
            CREATE INDEX store_partitions_parent_idx ON store_partitions (parent_table, low);

            ALTER TABLE message_parts RENAME TO message_parts_0;
            ALTER INDEX message_parts_pkey RENAME TO message_parts_0_pkey;
            CREATE TABLE message_parts (
                message_id BIGINT NOT NULL REFERENCES messages (id),
                part_no INTEGER NOT NULL,
                bytes BYTEA NOT NULL,
                PRIMARY KEY (message_id, part_no)
            ) PARTITION BY RANGE (message_id);
            ALTER TABLE message_parts ALTER COLUMN bytes SET STORAGE EXTENDED;
            DO $$ BEGIN
                ALTER TABLE message_parts ALTER COLUMN bytes SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN NULL;
            END $$;

            ALTER TABLE declaration_lines RENAME TO declaration_lines_0;
            ALTER INDEX declaration_lines_pkey RENAME TO declaration_lines_0_pkey;
            CREATE TABLE declaration_lines (
                declaration_id BIGINT NOT NULL REFERENCES declarations (id),
                gnum INTEGER NOT NULL,
                item_no TEXT,
                item_name TEXT,
                gcode TEXT,
                qty NUMERIC(19,5),
                unit TEXT,
                price NUMERIC(19,5),
                total_price NUMERIC(19,5),
                currency TEXT,
                country TEXT,
                PRIMARY KEY (declaration_id, gnum)
            ) PARTITION BY RANGE (declaration_id);

            DO $$
            DECLARE
                next_message BIGINT := (SELECT COALESCE(MAX(id), 0) + 1 FROM messages);
                next_declaration BIGINT := (SELECT COALESCE(MAX(id), 0) + 1 FROM declarations);
                now_ms BIGINT := (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT;
            BEGIN
                EXECUTE format('ALTER TABLE message_parts ATTACH PARTITION message_parts_0 FOR VALUES FROM (0) TO (%s)', next_message);
                EXECUTE format('ALTER TABLE declaration_lines ATTACH PARTITION declaration_lines_0 FOR VALUES FROM (0) TO (%s)', next_declaration);
                INSERT INTO store_partitions (name, parent_table, low, high, created_at) VALUES
                    ('message_parts_0', 'message_parts', 0, next_message, now_ms),
                    ('declaration_lines_0', 'declaration_lines', 0, next_declaration, now_ms);
            END $$;
            CREATE TABLE message_parts_default PARTITION OF message_parts DEFAULT;
            CREATE TABLE declaration_lines_default PARTITION OF declaration_lines DEFAULT;
            """),
        // When a partition detached for archiving was attached again (``SQLStore/reattachPartition``):
        // retention then keeps it one more period, so it is not detached again by the next run.
        Migration(version: 71, name: "partitions attached again from the archive",
                  sql: s.dialect == .sqlite ? "-- SQLite keeps one table each" : """
            ALTER TABLE store_partitions ADD COLUMN reattached_at BIGINT;
            """),
        // Where the documents of a batch that wait lie in its raw bytes (``DocumentRange``), and the
        // frame parts are built around: a release reads those bytes, not the whole batch. Not
        // partitioned: one row per waiting document, written once, read by key. Keyed by the
        // message and the declaration's guid, as the forward knows them, so a batch's 100,000 rows go
        // in as plain multi-row inserts (a join to declarations per chunk took PostgreSQL's planner
        // to a scan of the table: 14–21 s more for a 100,000-inventory batch); no foreign key, whose
        // check would cost a look-up per row: the message's frame row holds that key.
        Migration(version: 72, name: "byte ranges of waiting documents", sql: """
            CREATE TABLE message_frames (
                message_id BIGINT PRIMARY KEY REFERENCES messages (id),
                frame TEXT NOT NULL
            )\(s.withoutRowID);
            CREATE TABLE document_ranges (
                message_id BIGINT NOT NULL,
                declaration_guid TEXT NOT NULL,
                document_no INTEGER NOT NULL,
                start_offset BIGINT NOT NULL,
                end_offset BIGINT NOT NULL,
                PRIMARY KEY (message_id, declaration_guid)
            )\(s.withoutRowID);
            """),
        // The waiting declarations' partial index by kind *and id*: the sweep of waiting inventories
        // whose documents are all stored pages through them by id. By kind alone, PostgreSQL sorted
        // every waiting inventory (with its probes) for each page of 1,000: 0.7 s a page with 100,000
        // waiting, against 20 ms read in id order. SQLite's index already ends in the rowid; one
        // spelling for both.
        Migration(version: 73, name: "waiting declarations indexed by kind and id", sql: """
            DROP INDEX declarations_awaiting_idx;
            CREATE INDEX declarations_awaiting_idx ON declarations (kind, id) WHERE status = '\(DeclarationStatus.awaitingDocuments)';
            """),
        // The outbox joins the partitioned tables, by its message's id like the raw parts: its
        // unique key (message, destination, part) starts with that id, so routing's `ON CONFLICT`
        // keeps working, and a partition past retention with nothing pending or in flight detaches
        // with its message's bytes. Its own id stays an identity (PostgreSQL 15 hands it out through
        // the parent) but is no longer a primary key, which would have to hold the partition column:
        // nothing refers to it, and an index per partition finds a row by it (a look-up by id alone
        // reads one index per partition; the claim and a message's rows read one partition).
        Migration(version: 74, name: "partition the outbox by its message's id",
                  sql: s.dialect == .sqlite ? "-- SQLite keeps one table" : """
            ALTER TABLE outbox RENAME TO outbox_0;
            ALTER TABLE outbox_0 DROP CONSTRAINT outbox_pkey;
            ALTER TABLE outbox_0 ALTER COLUMN id DROP IDENTITY;
            ALTER INDEX outbox_message_destination_part_key RENAME TO outbox_0_message_destination_part_key;
            ALTER INDEX outbox_due_idx RENAME TO outbox_0_due_idx;
            ALTER INDEX outbox_updated_idx RENAME TO outbox_0_updated_idx;
            ALTER INDEX outbox_order_key_idx RENAME TO outbox_0_order_key_idx;
            ALTER INDEX outbox_logistics_key_idx RENAME TO outbox_0_logistics_key_idx;
            ALTER INDEX outbox_status_idx RENAME TO outbox_0_status_idx;
            CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY,
                message_id BIGINT NOT NULL REFERENCES messages (id),
                destination TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending'
                    CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'in-flight', 'delivered', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                order_key TEXT,
                logistics_key TEXT,
                part_no INTEGER NOT NULL DEFAULT 0,
                part_count INTEGER NOT NULL DEFAULT 0,
                part_plan TEXT,
                payment_request_id BIGINT,
                CONSTRAINT outbox_message_destination_part_key UNIQUE (message_id, destination, part_no)
            ) PARTITION BY RANGE (message_id);
            CREATE INDEX outbox_id_idx ON outbox (id);
            CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'in-flight');
            CREATE INDEX outbox_updated_idx ON outbox (updated_at);
            CREATE INDEX outbox_order_key_idx ON outbox (destination, order_key) WHERE order_key IS NOT NULL;
            CREATE INDEX outbox_logistics_key_idx ON outbox (destination, logistics_key) WHERE logistics_key IS NOT NULL;
            CREATE INDEX outbox_status_idx ON outbox (status, id);
            \(attachFirstPartition("outbox", top: "(SELECT COALESCE(MAX(id), 0) + 1 FROM messages)"))
            """),
        // Events: their dedup keys move to `event_keys` on both engines (one way to insert an event),
        // and PostgreSQL partitions the timeline by its own id, handed out in arrival order like the
        // others. The unique key on `dedup_key` could not stay (it lacks the partition column); the key
        // table keeps every key used, so a key in a detached partition still counts. The append-only
        // trigger moves to the parent (PostgreSQL clones it onto every partition) and lets one delete
        // through: partition maintenance moving rows out of the default partition, under a setting it
        // makes for its own transaction.
        Migration(version: 75, name: "event dedup keys in a table of their own; partition events by id",
                  sql: s.dialect == .sqlite ? """
            CREATE TABLE event_keys (dedup_key TEXT PRIMARY KEY) WITHOUT ROWID;
            INSERT INTO event_keys (dedup_key) SELECT dedup_key FROM events WHERE dedup_key IS NOT NULL;
            """ : """
            CREATE TABLE event_keys (dedup_key TEXT PRIMARY KEY);
            INSERT INTO event_keys (dedup_key) SELECT dedup_key FROM events WHERE dedup_key IS NOT NULL;
            DROP TRIGGER events_no_update_delete ON events;
            DROP TRIGGER events_no_truncate ON events;
            ALTER TABLE events RENAME TO events_0;
            ALTER TABLE events_0 DROP CONSTRAINT events_dedup_key_key;
            ALTER TABLE events_0 ALTER COLUMN id DROP IDENTITY;
            ALTER INDEX events_pkey RENAME TO events_0_pkey;
            ALTER INDEX events_message_idx RENAME TO events_0_message_idx;
            ALTER INDEX events_declaration_idx RENAME TO events_0_declaration_idx;
            ALTER INDEX events_kind_time_idx RENAME TO events_0_kind_time_idx;
            CREATE TABLE events (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind TEXT NOT NULL,
                occurred_at BIGINT NOT NULL,
                message_id BIGINT REFERENCES messages (id),
                declaration_id BIGINT REFERENCES declarations (id),
                receipt_id BIGINT REFERENCES receipts (id),
                code TEXT,
                detail TEXT,
                dedup_key TEXT,
                recorded_at BIGINT NOT NULL
            ) PARTITION BY RANGE (id);
            CREATE INDEX events_message_idx ON events (message_id);
            CREATE INDEX events_declaration_idx ON events (declaration_id);
            CREATE INDEX events_kind_time_idx ON events (kind, occurred_at);
            CREATE INDEX events_dedup_key_idx ON events (dedup_key) WHERE dedup_key IS NOT NULL;
            \(attachFirstPartition("events", top: "next_id"))
            CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'events_default'
                        AND current_setting('\(movingPartitionRows)', true) = 'on' THEN RETURN OLD; END IF;
                    RAISE EXCEPTION 'events is append-only';
                END;
                $fn$;
            CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
                FOR EACH ROW EXECUTE FUNCTION events_append_only();
            CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
                FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
            """),
        // The heads stayed whole then (global keys), so they were kept small: since 7 Dec a message's bytes
        // are all in its raw parts, and the index on its digest goes. Nothing ever looked a message
        // up by its digest (a duplicate is found by its guid, and the digest compared then), yet the
        // index was the head's largest: 132 of its 467 bytes a message with its indexes, one more
        // index entry written on every accepted message, and it made a streamed message's final
        // update (which sets the digest) a non-HOT one.
        Migration(version: 76, name: "drop the unused index on message digests", sql: """
            DROP INDEX messages_sha256_idx;
            """),
        // Stored answers past retention are deleted, oldest first (``SQLStore/pruneAnswers(before:)``):
        // by this index, not a scan of every answer ever given.
        Migration(version: 77, name: "stored answers indexed by time", sql: """
            CREATE INDEX message_answers_created_idx ON message_answers (created_at);
            """),
        // The message heads join the partitioned tables, by their own id, so retention archives them
        // too: a province's store gains tens of millions a month. Their one global key, the guid,
        // cannot stay unique on them (it lacks the partition column): it moves to `message_keys`
        // (on both engines: one way to store a message), which hands out the message ids and keeps
        // each guid's digest, so a resend is judged duplicate or conflicting after its head is
        // archived, and every table that names a message refers to its key (a foreign key to the
        // partitioned heads would stop a partition from detaching while anything older names it).
        Migration(version: 78, name: "message guids in a table of their own; partition message heads by id",
                  sql: s.dialect == .sqlite ? """
            CREATE TABLE message_keys (
                message_id INTEGER PRIMARY KEY,
                guid TEXT NOT NULL UNIQUE,
                sha256 TEXT NOT NULL DEFAULT ''
            );
            INSERT INTO message_keys (message_id, guid, sha256) SELECT id, guid, sha256 FROM messages;
            """ : """
            CREATE TABLE message_keys (
                guid TEXT PRIMARY KEY,
                message_id BIGINT GENERATED BY DEFAULT AS IDENTITY CONSTRAINT message_keys_message_id_key UNIQUE,
                sha256 TEXT NOT NULL DEFAULT ''
            );
            INSERT INTO message_keys (guid, message_id, sha256) SELECT guid, id, sha256 FROM messages;
            ALTER TABLE declarations DROP CONSTRAINT declarations_message_id_fkey;
            ALTER TABLE events DROP CONSTRAINT events_message_id_fkey1;
            ALTER TABLE message_frames DROP CONSTRAINT message_frames_message_id_fkey;
            ALTER TABLE message_parts DROP CONSTRAINT message_parts_message_id_fkey1;
            ALTER TABLE outbox DROP CONSTRAINT outbox_message_id_fkey1;
            ALTER TABLE receipts DROP CONSTRAINT receipts_message_id_fkey;
            ALTER TABLE messages RENAME TO messages_0;
            ALTER TABLE messages_0 DROP CONSTRAINT messages_guid_key; -- found through message_keys now
            ALTER TABLE messages_0 ALTER COLUMN id DROP IDENTITY;
            ALTER INDEX messages_pkey RENAME TO messages_0_pkey;
            ALTER INDEX messages_incomplete_idx RENAME TO messages_0_incomplete_idx;
            ALTER INDEX messages_received_idx RENAME TO messages_0_received_idx;
            ALTER INDEX messages_type_idx RENAME TO messages_0_type_idx;
            CREATE TABLE messages (
                id BIGINT NOT NULL PRIMARY KEY,
                guid TEXT NOT NULL,
                message_type TEXT NOT NULL,
                sender_code TEXT NOT NULL,
                direction TEXT NOT NULL CONSTRAINT messages_direction_check CHECK (direction IN ('inbound', 'outbound')),
                received_at BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                raw BYTEA NOT NULL,
                signature_verdict TEXT NOT NULL,
                size BIGINT,
                complete INTEGER NOT NULL DEFAULT 1 CONSTRAINT messages_complete_check CHECK (complete IN (0, 1))
            ) PARTITION BY RANGE (id);
            DO $$
            BEGIN
                ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN NULL;
            END $$;
            CREATE INDEX messages_incomplete_idx ON messages (id) WHERE complete = 0;
            CREATE INDEX messages_received_idx ON messages (received_at);
            CREATE INDEX messages_type_idx ON messages (message_type, direction);
            DO $$
            DECLARE
                next_id BIGINT := (SELECT COALESCE(MAX(id), 0) + 1 FROM messages_0);
            BEGIN
                EXECUTE format('ALTER TABLE message_keys ALTER COLUMN message_id RESTART WITH %s', next_id);
                EXECUTE format('ALTER TABLE messages ATTACH PARTITION messages_0 FOR VALUES FROM (0) TO (%s)', next_id);
                INSERT INTO store_partitions (name, parent_table, low, high, created_at)
                VALUES ('messages_0', 'messages', 0, next_id, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT);
            END $$;
            CREATE TABLE messages_default PARTITION OF messages DEFAULT;
            ALTER TABLE declarations ADD CONSTRAINT declarations_message_id_fkey
                FOREIGN KEY (message_id) REFERENCES message_keys (message_id);
            ALTER TABLE events ADD CONSTRAINT events_message_id_fkey
                FOREIGN KEY (message_id) REFERENCES message_keys (message_id);
            ALTER TABLE message_frames ADD CONSTRAINT message_frames_message_id_fkey
                FOREIGN KEY (message_id) REFERENCES message_keys (message_id);
            ALTER TABLE message_parts ADD CONSTRAINT message_parts_message_id_fkey
                FOREIGN KEY (message_id) REFERENCES message_keys (message_id);
            ALTER TABLE outbox ADD CONSTRAINT outbox_message_id_fkey
                FOREIGN KEY (message_id) REFERENCES message_keys (message_id);
            ALTER TABLE receipts ADD CONSTRAINT receipts_message_id_fkey
                FOREIGN KEY (message_id) REFERENCES message_keys (message_id);
            """),
        // The declarations follow the message heads, by their own id: their unique key (kind,
        // sender, dedup key) moves to `declaration_keys` (both engines), which hands out their ids;
        // lines, events, receipts and export summaries name a declaration by its key. Their look-ups
        // by number stay on the heads' indexes, one per partition: retention bounds how many (the
        // life-cycle look-up moved to the keys in migration 80).
        Migration(version: 79, name: "declaration keys in a table of their own; partition declarations by id",
                  sql: s.dialect == .sqlite ? """
            CREATE TABLE declaration_keys (
                declaration_id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                sender_code TEXT NOT NULL,
                dedup_key TEXT NOT NULL,
                UNIQUE (kind, sender_code, dedup_key)
            );
            INSERT INTO declaration_keys (declaration_id, kind, sender_code, dedup_key) SELECT id, kind, sender_code, dedup_key FROM declarations;
            """ : """
            CREATE TABLE declaration_keys (
                kind TEXT NOT NULL,
                sender_code TEXT NOT NULL,
                dedup_key TEXT NOT NULL,
                declaration_id BIGINT GENERATED BY DEFAULT AS IDENTITY CONSTRAINT declaration_keys_declaration_id_key UNIQUE,
                PRIMARY KEY (kind, sender_code, dedup_key)
            );
            INSERT INTO declaration_keys (kind, sender_code, dedup_key, declaration_id) SELECT kind, sender_code, dedup_key, id FROM declarations;
            ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_declaration_id_fkey1;
            ALTER TABLE events DROP CONSTRAINT events_declaration_id_fkey1;
            ALTER TABLE export_summaries DROP CONSTRAINT export_summaries_inventory_id_fkey;
            ALTER TABLE receipts DROP CONSTRAINT receipts_declaration_id_fkey;
            ALTER TABLE declarations RENAME TO declarations_0;
            ALTER TABLE declarations_0 DROP CONSTRAINT declarations_kind_sender_code_dedup_key_key; -- in declaration_keys now
            ALTER TABLE declarations_0 ALTER COLUMN id DROP IDENTITY;
            ALTER TABLE declarations_0 DROP CONSTRAINT declarations_message_id_fkey; -- the parent's, cloned as it attaches
            ALTER INDEX declarations_pkey RENAME TO declarations_0_pkey;
            ALTER INDEX declarations_awaiting_idx RENAME TO declarations_0_awaiting_idx;
            ALTER INDEX declarations_bill_no_idx RENAME TO declarations_0_bill_no_idx;
            ALTER INDEX declarations_buyer_idx RENAME TO declarations_0_buyer_idx;
            ALTER INDEX declarations_cop_no_idx RENAME TO declarations_0_cop_no_idx;
            ALTER INDEX declarations_guid_idx RENAME TO declarations_0_guid_idx;
            ALTER INDEX declarations_held_idx RENAME TO declarations_0_held_idx;
            ALTER INDEX declarations_invt_no_idx RENAME TO declarations_0_invt_no_idx;
            ALTER INDEX declarations_logistics_no_idx RENAME TO declarations_0_logistics_no_idx;
            ALTER INDEX declarations_message_idx RENAME TO declarations_0_message_idx;
            ALTER INDEX declarations_order_no_idx RENAME TO declarations_0_order_no_idx;
            ALTER INDEX declarations_pay_transaction_idx RENAME TO declarations_0_pay_transaction_idx;
            CREATE TABLE declarations (
                id BIGINT NOT NULL PRIMARY KEY,
                kind TEXT NOT NULL,
                message_id BIGINT NOT NULL REFERENCES message_keys (message_id),
                declaration_guid TEXT NOT NULL,
                sender_code TEXT NOT NULL,
                dedup_key TEXT NOT NULL,
                app_type TEXT,
                app_time BIGINT,
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
                goods_value NUMERIC(19,5),
                freight NUMERIC(19,5),
                tax_total NUMERIC(19,5),
                actural_paid NUMERIC(19,5),
                currency TEXT,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL
            ) PARTITION BY RANGE (id);
            CREATE INDEX declarations_awaiting_idx ON declarations (kind, id) WHERE status = '\(DeclarationStatus.awaitingDocuments)';
            CREATE INDEX declarations_bill_no_idx ON declarations (bill_no);
            CREATE INDEX declarations_buyer_idx ON declarations (buyer_id_hash);
            CREATE INDEX declarations_cop_no_idx ON declarations (cop_no);
            CREATE INDEX declarations_guid_idx ON declarations (declaration_guid);
            CREATE INDEX declarations_held_idx ON declarations (message_id) WHERE status = '\(DeclarationStatus.held)';
            CREATE INDEX declarations_invt_no_idx ON declarations (invt_no);
            CREATE INDEX declarations_logistics_no_idx ON declarations (logistics_no);
            CREATE INDEX declarations_message_idx ON declarations (message_id);
            CREATE INDEX declarations_order_no_idx ON declarations (order_no);
            CREATE INDEX declarations_pay_transaction_idx ON declarations (pay_transaction_id);
            DO $$
            DECLARE
                next_id BIGINT := (SELECT COALESCE(MAX(id), 0) + 1 FROM declarations_0);
            BEGIN
                EXECUTE format('ALTER TABLE declaration_keys ALTER COLUMN declaration_id RESTART WITH %s', next_id);
                EXECUTE format('ALTER TABLE declarations ATTACH PARTITION declarations_0 FOR VALUES FROM (0) TO (%s)', next_id);
                INSERT INTO store_partitions (name, parent_table, low, high, created_at)
                VALUES ('declarations_0', 'declarations', 0, next_id, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT);
            END $$;
            CREATE TABLE declarations_default PARTITION OF declarations DEFAULT;
            ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_declaration_id_fkey
                FOREIGN KEY (declaration_id) REFERENCES declaration_keys (declaration_id);
            ALTER TABLE events ADD CONSTRAINT events_declaration_id_fkey
                FOREIGN KEY (declaration_id) REFERENCES declaration_keys (declaration_id);
            ALTER TABLE export_summaries ADD CONSTRAINT export_summaries_inventory_id_fkey
                FOREIGN KEY (inventory_id) REFERENCES declaration_keys (declaration_id);
            ALTER TABLE receipts ADD CONSTRAINT receipts_declaration_id_fkey
                FOREIGN KEY (declaration_id) REFERENCES declaration_keys (declaration_id);
            """),
        // The newest declaration of a business key (every single message's life-cycle check) is found
        // in `declaration_keys` instead of by number in every declarations partition: the key, its
        // revisions (`key|…`) and a split declaration's parts (`copNo#…`) are ranges of the dedup key,
        // which are prefixes only in byte order. SQLite compares text by its bytes already.
        Migration(version: 80, name: "declaration dedup keys in byte order",
                  sql: s.dialect == .sqlite ? "-- SQLite compares text by its bytes" : """
            ALTER TABLE declaration_keys ALTER COLUMN dedup_key TYPE TEXT COLLATE "C";
            """),
        awaitedNumbers(s),
        linkedNumbers(s),
        declarationGuids(s),
        // The claim's floor (``SQLStore/unfinishedFloorSQL``): the oldest unfinished row's message,
        // one descent of each partition's partial index in message order, stopping at the first
        // that has one. Its condition is on `status || ''`, which only the floor's query names: on
        // `status` itself, the claim's shipment-order probes (which imply it) could walk it, every
        // unfinished row from the floor on for each probe, where they should probe their key
        // (statistics taken while nothing waited made that plan look free). SQLite keeps one outbox
        // table and claims without a floor.
        Migration(version: 84, name: "unfinished outbox rows by message",
                  sql: s.dialect == .sqlite ? "-- SQLite claims without a floor" : """
            CREATE INDEX outbox_unfinished_idx ON outbox (message_id) WHERE (status || '') IN ('pending', 'in-flight');
            """),
    ] }

    /// Every single message asks which waiting inventories name its order or logistics number; by
    /// number in `declarations`, that probed two indexes in every partition (0.15 ms a call with 4
    /// partitions, 0.88 ms with 18). `awaited_numbers` holds the numbers of the inventories waiting
    /// now, one table whatever the history, kept by triggers on `declarations` so no write path can
    /// forget it (the triggers' `WHEN` is false for every other row: no call). It carries what the
    /// look-ups return (message id, declaration guid), so they never read a declarations partition.
    private static func awaitedNumbers(_ s: SchemaSpelling) -> Migration {
        let waiting = "'\(DeclarationStatus.awaitingDocuments)'"
        let table = """
            CREATE TABLE awaited_numbers (
                number TEXT NOT NULL,
                number_kind TEXT NOT NULL,
                declaration_id BIGINT NOT NULL,
                message_id BIGINT NOT NULL,
                declaration_guid TEXT NOT NULL,
                PRIMARY KEY (number, number_kind, declaration_id)
            )\(s.withoutRowID);
            CREATE INDEX awaited_numbers_declaration_idx ON awaited_numbers (declaration_id);
            INSERT INTO awaited_numbers (number, number_kind, declaration_id, message_id, declaration_guid)
            SELECT order_no, 'order_no', id, message_id, declaration_guid FROM declarations
            WHERE kind = 'inventory' AND status = \(waiting) AND order_no IS NOT NULL
            UNION ALL
            SELECT logistics_no, 'logistics_no', id, message_id, declaration_guid FROM declarations
            WHERE kind = 'inventory' AND status = \(waiting) AND logistics_no IS NOT NULL;
            """
        let entering = "NEW.kind = 'inventory' AND NEW.status = \(waiting)"
        let leaving = "OLD.kind = 'inventory' AND OLD.status = \(waiting)"
        /// The new row's numbers (one statement: a trigger's statements are its cost), if `condition` holds.
        func insert(when condition: String = "TRUE") -> String {
            """
            INSERT INTO awaited_numbers (number, number_kind, declaration_id, message_id, declaration_guid)
                    SELECT v.number, v.number_kind, NEW.id, NEW.message_id, NEW.declaration_guid
                    FROM (SELECT NEW.order_no AS number, 'order_no' AS number_kind UNION ALL SELECT NEW.logistics_no, 'logistics_no') v
                    WHERE v.number IS NOT NULL AND \(condition);
            """
        }
        if s.dialect == .sqlite {
            return Migration(version: 81, name: "numbers waiting inventories wait for", sql: table + """

                CREATE TRIGGER declarations_awaited_insert AFTER INSERT ON declarations WHEN \(entering) BEGIN
                    \(insert())
                END;
                CREATE TRIGGER declarations_awaited_update AFTER UPDATE ON declarations WHEN (\(leaving)) OR (\(entering)) BEGIN
                    DELETE FROM awaited_numbers WHERE declaration_id = OLD.id AND \(leaving);
                    \(insert(when: entering))
                END;
                CREATE TRIGGER declarations_awaited_delete AFTER DELETE ON declarations WHEN \(leaving) BEGIN
                    DELETE FROM awaited_numbers WHERE declaration_id = OLD.id;
                END;
                """)
        }
        return Migration(version: 81, name: "numbers waiting inventories wait for", sql: table + """

            CREATE FUNCTION declarations_follow_awaited() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Maintenance moving rows out of the default partition deletes them there and inserts
                -- them into a table it attaches afterwards (no trigger fires): they still wait.
                \(declarationsMovedThrough)
                IF TG_OP <> 'INSERT' AND \(leaving) THEN
                    DELETE FROM awaited_numbers WHERE declaration_id = OLD.id;
                END IF;
                IF TG_OP <> 'DELETE' AND \(entering) THEN
                    \(insert())
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER declarations_awaited_insert AFTER INSERT ON declarations FOR EACH ROW
                WHEN (\(entering)) EXECUTE FUNCTION declarations_follow_awaited();
            CREATE TRIGGER declarations_awaited_update AFTER UPDATE ON declarations FOR EACH ROW
                WHEN ((\(leaving)) OR (\(entering))) EXECUTE FUNCTION declarations_follow_awaited();
            CREATE TRIGGER declarations_awaited_delete AFTER DELETE ON declarations FOR EACH ROW
                WHEN (\(leaving)) EXECUTE FUNCTION declarations_follow_awaited();
            """)
    }

    /// Every inventory's match finds its order and payment by order number and its waybill by
    /// logistics number (``SQLStore/linkedRows``), as does the sweep of waiting inventories; in
    /// `declarations` that probed a number's index in every partition (15 → 95 pages a call with
    /// twenty more partitions). `linked_numbers` holds the one number each order, payment and
    /// waybill (import and export) is linked by, with its declaration's id: one index probe, then
    /// the declaration by id, in the one partition its id names. Kept by triggers on
    /// `declarations`, as `awaited_numbers` is (no call for any other kind or for a status change);
    /// never archived, like the key tables, so a reattached partition's documents link again.
    /// Row triggers, measured in psql (100,000 rows in one `INSERT`): 7–9 µs more an order (9–9.5
    /// with the insert behind the update's branches), nothing for an inventory. A statement trigger
    /// reading a transition table costs 5.5 µs an order, but makes `COPY` into a partitioned table
    /// insert one row at a time: 2–3 µs more every inventory.
    private static func linkedNumbers(_ s: SchemaSpelling) -> Migration {
        /// The number a row of `declarations` is linked by, or NULL for kinds no match links.
        func number(_ row: String) -> String {
            """
            CASE WHEN \(row).kind IN ('\(DeclarationKind.order)', '\(DeclarationKind.payment)', '\(DeclarationKind.exportOrder)', '\(DeclarationKind.exportPayment)') THEN \(row).order_no
                 WHEN \(row).kind IN ('\(DeclarationKind.logistics)', '\(DeclarationKind.exportLogistics)') THEN \(row).logistics_no END
            """
        }
        let table = """
            CREATE TABLE linked_numbers (
                number TEXT NOT NULL,
                kind TEXT NOT NULL,
                declaration_id BIGINT NOT NULL,
                PRIMARY KEY (number, kind, declaration_id)
            )\(s.withoutRowID);
            INSERT INTO linked_numbers (number, kind, declaration_id)
            SELECT \(number("d")), d.kind, d.id FROM declarations d WHERE \(number("d")) IS NOT NULL;
            """
        let insert = "INSERT INTO linked_numbers (number, kind, declaration_id) SELECT \(number("NEW")), NEW.kind, NEW.id WHERE \(number("NEW")) IS NOT NULL;"
        let delete = "DELETE FROM linked_numbers WHERE number = \(number("OLD")) AND kind = OLD.kind AND declaration_id = OLD.id;"
        let changed = "(\(number("OLD"))) IS DISTINCT FROM (\(number("NEW"))) OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.id IS DISTINCT FROM NEW.id"
        if s.dialect == .sqlite {
            return Migration(version: 82, name: "numbers documents are linked by", sql: table + """

                CREATE TRIGGER declarations_linked_insert AFTER INSERT ON declarations WHEN (\(number("NEW"))) IS NOT NULL BEGIN
                    \(insert)
                END;
                CREATE TRIGGER declarations_linked_update AFTER UPDATE OF id, kind, order_no, logistics_no ON declarations
                    WHEN \(changed) BEGIN
                    \(delete)
                    \(insert)
                END;
                CREATE TRIGGER declarations_linked_delete AFTER DELETE ON declarations WHEN (\(number("OLD"))) IS NOT NULL BEGIN
                    \(delete)
                END;
                """)
        }
        return Migration(version: 82, name: "numbers documents are linked by", sql: table + """

            -- Every stored order, payment and waybill calls it: one plain insert (its WHEN has checked the number).
            CREATE FUNCTION declarations_link() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO linked_numbers (number, kind, declaration_id) VALUES (\(number("NEW")), NEW.kind, NEW.id);
                RETURN NULL;
            END $$;
            CREATE FUNCTION declarations_follow_linked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Maintenance moving rows out of the default partition deletes them there and inserts
                -- them, ids unchanged, into a table it attaches afterwards (no trigger fires).
                \(declarationsMovedThrough)
                \(delete)
                IF TG_OP = 'UPDATE' THEN \(insert) END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER declarations_linked_insert AFTER INSERT ON declarations FOR EACH ROW
                WHEN ((\(number("NEW"))) IS NOT NULL) EXECUTE FUNCTION declarations_link();
            CREATE TRIGGER declarations_linked_update AFTER UPDATE OF id, kind, order_no, logistics_no ON declarations FOR EACH ROW
                WHEN (\(changed)) EXECUTE FUNCTION declarations_follow_linked();
            CREATE TRIGGER declarations_linked_delete AFTER DELETE ON declarations FOR EACH ROW
                WHEN ((\(number("OLD"))) IS NOT NULL) EXECUTE FUNCTION declarations_follow_linked();
            """)
    }

    /// A receipt names the declaration it answers by the head guid it echoes, as do a release (the
    /// inventories of a batch it moves), events and the ops trace; in `declarations` each probed the
    /// guid's index in every partition. The guid moves beside the declaration's key in
    /// `declaration_keys` (written with it by every writer, in the same statement), with one index
    /// for the whole store; the heads' index goes, so a declaration still costs one guid index
    /// entry. Never archived, like the rest of the key table: a reattached partition's declarations
    /// are found by guid again.
    private static func declarationGuids(_ s: SchemaSpelling) -> Migration {
        let backfill = s.dialect == .sqlite
            ? "UPDATE declaration_keys SET declaration_guid = (SELECT d.declaration_guid FROM declarations d WHERE d.id = declaration_keys.declaration_id);"
            : "UPDATE declaration_keys k SET declaration_guid = d.declaration_guid FROM declarations d WHERE d.id = k.declaration_id;"
        return Migration(version: 83, name: "declaration guids beside their keys", sql: """
            ALTER TABLE declaration_keys ADD COLUMN declaration_guid TEXT;
            \(backfill)
            CREATE INDEX declaration_keys_guid_idx ON declaration_keys (declaration_guid);
            DROP INDEX declarations_guid_idx;
            """)
    }

    /// `table`'s rows stored before the migration, renamed `<table>_0` with the identity dropped,
    /// attached as its first partition `[0, top)` (`top`: SQL over `next_id`, the id after them),
    /// recorded in `store_partitions`; the identity restarts after them, and a default partition
    /// takes whatever lies beyond the partitions made ahead.
    private static func attachFirstPartition(_ table: String, top: String) -> String {
        """
        DO $$
        DECLARE
            next_id BIGINT := (SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)_0);
            top BIGINT := \(top);
        BEGIN
            EXECUTE format('ALTER TABLE \(table) ALTER COLUMN id RESTART WITH %s', next_id);
            EXECUTE format('ALTER TABLE \(table) ATTACH PARTITION \(table)_0 FOR VALUES FROM (0) TO (%s)', top);
            INSERT INTO store_partitions (name, parent_table, low, high, created_at)
            VALUES ('\(table)_0', '\(table)', 0, top, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT);
        END $$;
        CREATE TABLE \(table)_default PARTITION OF \(table) DEFAULT;
        """
    }
}
