extension SQLStore: ExportPaymentStore {
    func exportPayments(ebcCode: String) async throws(StoreError) -> [ExportPaymentStanding] {
        try await session { (s: any SQLSession) throws(StoreError) -> [ExportPaymentStanding] in
            try s.query("""
                SELECT d.id, d.order_no, d.pay_transaction_id, d.pay_code, d.actural_paid, d.currency, d.app_time, d.status
                FROM declarations d
                WHERE d.ebc_code = $1 AND (d.kind || '') = $2 AND d.order_no IS NOT NULL
                ORDER BY d.id
                """, [.text(ebcCode), .text(DeclarationKind.exportPayment.rawValue)]).map { (row) throws(StoreError) in
                ExportPaymentStanding(
                    declarationId: try row.requireInt64(0, "declarations.id"), orderNo: try row.requireString(1, "declarations.order_no"),
                    payNo: row.string(2), payCode: row.string(3), charge: row.decimal(4), currency: row.string(5), appTime: row.date(6),
                    status: DeclarationStatus(try row.requireString(7, "declarations.status")))
            }
        }
    }
}
