/// What the buyer's tracking page reads beyond a trace: its link key, the goods and the order
/// number behind a link.
extension SQLStore {
    func storeSecret(named name: String) async throws(StoreError) -> [UInt8] {
        guard !name.isEmpty, name != "buyer_id_salt" else { throw .invalidInput("secret name \"\(name)\" is reserved or empty") }
        return try await accessWrite { (s: any SQLSession) throws(StoreError) -> [UInt8] in try Self.databaseSecret(s, named: name) }
    }

    func declarationLines(declarationId: Int64, limit: Int) async throws(StoreError) -> [DeclarationLineRecord] {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> [DeclarationLineRecord] in
            try s.query("""
                SELECT gnum, item_no, item_name, gcode, qty, unit, price, total_price, currency, country
                FROM declaration_lines WHERE declaration_id = $1 ORDER BY gnum LIMIT $2
                """, [.integer(declarationId), .integer(Int64(max(0, limit)))]
            ).map { (r: SQLRow) throws(StoreError) in
                DeclarationLineRecord(
                    gnum: Int(try r.requireInt64(0, "declaration_lines.gnum")), itemNo: r.string(1), itemName: r.string(2), gcode: r.string(3),
                    qty: r.decimal(4), unit: r.string(5), price: r.decimal(6), totalPrice: r.decimal(7), currency: r.string(8),
                    country: r.string(9))
            }
        }
    }

    func orderNo(declarationId: Int64) async throws(StoreError) -> String? {
        try await accessRead { (s: any SQLSession) throws(StoreError) -> String? in
            try s.queryOne("SELECT order_no FROM declarations WHERE id = $1", [.integer(declarationId)])?.string(0)
        }
    }
}
