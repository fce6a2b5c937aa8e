/// Schema additions of the clearance flow (routing and delivery), numbered from 20 so they never
/// collide with the core store's own versions.
///
/// Version 20 gives every outbox row the shipment keys it belongs to (`order_key` = orderNo,
/// `logistics_key` = logisticsNo), so a destination receives one shipment's messages in the
/// order they were queued (``ClearanceFlowStore/claimOutboxInShipmentOrder(limit:lease:now:)``).
///
/// Version 21 lets a message go to one destination as several parts (customs takes at most 100
/// documents per message; ``OutboxPart``): `part_no` (0: the whole message), `part_count` and the
/// part's `part_plan`, and the uniqueness moves from (message, destination) to (message,
/// destination, part). SQLite cannot drop a table's UNIQUE constraint, so its outbox is rebuilt.
///
/// Version 22 adds real-time payment data for customs (announcement 2018 No. 179): the originals a
/// platform deposits per payment (`payment_originals`: the raw request to and response from the
/// payment provider, and the payee and goods-link details customs asks for beside them), customs'
/// requests (`payment_data_requests`, with their state, the reason an answer was not sent and
/// customs' answer code), and `outbox.payment_request_id`: an outbox row that posts the answer to a
/// request rather than a message. Such a row hangs off the order's message (so its events land on
/// the order's timeline) with `part_no` = −request id, which keeps (message, destination, part) unique
/// when customs asks about the same order twice.
enum FlowMigrations {
    static func all(_ s: SchemaSpelling) -> [Migration] { [
        Migration(version: 20, name: "outbox shipment keys", sql: """
            ALTER TABLE outbox ADD COLUMN order_key TEXT;
            ALTER TABLE outbox ADD COLUMN logistics_key TEXT;
            CREATE INDEX outbox_order_key_idx ON outbox (destination, order_key) WHERE order_key IS NOT NULL;
            CREATE INDEX outbox_logistics_key_idx ON outbox (destination, logistics_key) WHERE logistics_key IS NOT NULL;
            CREATE INDEX outbox_status_idx ON outbox (status, id);
            """),
        Migration(version: 21, name: "outbox rows per message part", sql: s.dialect == .sqlite ? """
            CREATE TABLE outbox_parts_new (
                id INTEGER PRIMARY KEY,
                message_id INTEGER NOT NULL REFERENCES messages (id),
                destination TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'in-flight', 'delivered', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                order_key TEXT,
                logistics_key TEXT,
                part_no INTEGER NOT NULL DEFAULT 0,
                part_count INTEGER NOT NULL DEFAULT 0,
                part_plan TEXT,
                UNIQUE (message_id, destination, part_no)
            );
            INSERT INTO outbox_parts_new (id, message_id, destination, status, attempts, next_attempt_at, last_error,
                                          created_at, updated_at, order_key, logistics_key)
                SELECT id, message_id, destination, status, attempts, next_attempt_at, last_error,
                       created_at, updated_at, order_key, logistics_key FROM outbox;
            DROP TABLE outbox;
            ALTER TABLE outbox_parts_new RENAME TO outbox;
            CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'in-flight');
            CREATE INDEX outbox_order_key_idx ON outbox (destination, order_key) WHERE order_key IS NOT NULL;
            CREATE INDEX outbox_logistics_key_idx ON outbox (destination, logistics_key) WHERE logistics_key IS NOT NULL;
            CREATE INDEX outbox_status_idx ON outbox (status, id);
            """ : """
            ALTER TABLE outbox ADD COLUMN part_no INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE outbox ADD COLUMN part_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE outbox ADD COLUMN part_plan TEXT;
            ALTER TABLE outbox DROP CONSTRAINT outbox_message_id_destination_key;
            ALTER TABLE outbox ADD CONSTRAINT outbox_message_destination_part_key UNIQUE (message_id, destination, part_no);
            """),
        Migration(version: 22, name: "real-time payment data", sql: """
            CREATE TABLE payment_originals (
                pay_transaction_id TEXT PRIMARY KEY,
                order_no TEXT NOT NULL,
                enterprise_code TEXT NOT NULL,
                inital_request TEXT NOT NULL,
                inital_response TEXT NOT NULL,
                ver_dept TEXT,
                pay_type TEXT,
                recp_account TEXT,
                recp_code TEXT,
                recp_name TEXT,
                item_links TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX payment_originals_order_idx ON payment_originals (order_no);
            CREATE TABLE payment_data_requests (
                id \(s.rowID),
                session_id TEXT NOT NULL UNIQUE,
                order_no TEXT NOT NULL,
                service_time TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('not-sent', 'queued', 'answered', 'refused')),
                reason TEXT,
                customs_code TEXT,
                customs_message TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX payment_data_requests_order_idx ON payment_data_requests (order_no, id);
            ALTER TABLE outbox ADD COLUMN payment_request_id BIGINT;
            """),
    ] }
}
