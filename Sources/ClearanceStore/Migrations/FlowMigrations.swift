/// Schema additions of the clearance flow (routing and delivery), numbered from 20 so they never
/// collide with the core store's own versions.
///
/// Version 20 gives every outbox row the shipment keys it belongs to (`order_key` = orderNo,
/// `logistics_key` = logisticsNo), so a destination receives one shipment's messages in the
/// order they were queued (``ClearanceFlowStore/claimOutboxInShipmentOrder(limit:lease:now:)``).
enum FlowMigrations {
    static let sqlite: [Migration] = [
        Migration(version: 20, name: "outbox shipment keys", sql: """
            ALTER TABLE outbox ADD COLUMN order_key TEXT;
            ALTER TABLE outbox ADD COLUMN logistics_key TEXT;
            CREATE INDEX outbox_order_key_idx ON outbox (destination, order_key) WHERE order_key IS NOT NULL;
            CREATE INDEX outbox_logistics_key_idx ON outbox (destination, logistics_key) WHERE logistics_key IS NOT NULL;
            CREATE INDEX outbox_status_idx ON outbox (status, id);
            """),
    ]

    static let postgresql: [Migration] = [
        Migration(version: 20, name: "outbox shipment keys", sql: """
            ALTER TABLE outbox ADD COLUMN order_key TEXT;
            ALTER TABLE outbox ADD COLUMN logistics_key TEXT;
            CREATE INDEX outbox_order_key_idx ON outbox (destination, order_key) WHERE order_key IS NOT NULL;
            CREATE INDEX outbox_logistics_key_idx ON outbox (destination, logistics_key) WHERE logistics_key IS NOT NULL;
            CREATE INDEX outbox_status_idx ON outbox (status, id);
            """),
    ]
}
