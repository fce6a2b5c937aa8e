/// Column layout shared by both engines' bulk writers, and an ingest chunk converted to
/// engine-neutral rows (buyer data already hashed and masked).

/// A column of a bulk-written table with its PostgreSQL type (for staging tables).
struct BulkColumn: Sendable {
    let name: String
    let pgType: String
}

enum BulkColumns {
    static let messages: [BulkColumn] = [
        .init(name: "guid", pgType: "TEXT"),
        .init(name: "message_type", pgType: "TEXT"),
        .init(name: "sender_code", pgType: "TEXT"),
        .init(name: "direction", pgType: "TEXT"),
        .init(name: "received_at", pgType: "BIGINT"),
        .init(name: "sha256", pgType: "TEXT"),
        .init(name: "raw", pgType: "BYTEA"),
        .init(name: "signature_verdict", pgType: "TEXT"),
        .init(name: "size", pgType: "BIGINT"),
    ]

    /// Declaration columns written from a record (`message_id` and `created_at` are added by the writer).
    static let declarations: [BulkColumn] = [
        "kind", "declaration_guid", "sender_code", "dedup_key", "app_type",
    ].map { BulkColumn(name: $0, pgType: "TEXT") } + [
        BulkColumn(name: "app_time", pgType: "BIGINT"),
    ] + [
        "order_no", "logistics_no", "invt_no", "cop_no", "pre_no", "pay_transaction_id", "bill_no",
        "ebp_code", "ebc_code", "logistics_code", "agent_code", "pay_code", "customs_code", "port_code",
        "trade_mode", "ie_flag", "buyer_id_type", "buyer_id_hash", "buyer_id_masked", "buyer_name",
        "buyer_phone_masked",
    ].map { BulkColumn(name: $0, pgType: "TEXT") } + [
        "goods_value", "freight", "tax_total", "actural_paid",
    ].map { BulkColumn(name: $0, pgType: "NUMERIC(19,5)") } + [
        "currency", "status",
    ].map { BulkColumn(name: $0, pgType: "TEXT") }

    /// The declaration a line belongs to, by its unique key.
    static let lineKey: [BulkColumn] = ["kind", "sender_code", "dedup_key"].map { BulkColumn(name: $0, pgType: "TEXT") }

    /// Line columns after `declaration_id`.
    static let lines: [BulkColumn] = [
        BulkColumn(name: "gnum", pgType: "INTEGER"),
        BulkColumn(name: "item_no", pgType: "TEXT"),
        BulkColumn(name: "item_name", pgType: "TEXT"),
        BulkColumn(name: "gcode", pgType: "TEXT"),
        BulkColumn(name: "qty", pgType: "NUMERIC(19,5)"),
        BulkColumn(name: "unit", pgType: "TEXT"),
        BulkColumn(name: "price", pgType: "NUMERIC(19,5)"),
        BulkColumn(name: "total_price", pgType: "NUMERIC(19,5)"),
        BulkColumn(name: "currency", pgType: "TEXT"),
        BulkColumn(name: "country", pgType: "TEXT"),
    ]
}

struct PreparedMessage: Sendable {
    let guid: String
    /// In ``BulkColumns/messages`` order; `raw` is empty (the bytes go to ``parts``).
    let values: [SQLValue]
    /// The raw bytes as `message_parts` rows, numbered from 0 as a streamed message's are: the
    /// head keeps none of them, so every byte lies in the partitioned table that retention detaches
    /// for archiving (until 7 Dec a head's `raw` held a whole message's bytes, which never left the
    /// unpartitioned heads; such rows still read as before).
    let parts: [MessagePart]

    /// The largest part a whole message is cut into (a streamed message's parts are this size too).
    static let partSize = 1 << 20

    /// `bytes` as parts of at most ``partSize``: a message of one part shares its array (no copy).
    static func parts(of bytes: [UInt8]) -> [MessagePart] {
        guard bytes.count > partSize else { return bytes.isEmpty ? [] : [MessagePart(index: 0, bytes: bytes)] }
        return stride(from: 0, to: bytes.count, by: partSize).enumerated().map { index, start in
            MessagePart(index: index, bytes: Array(bytes[start..<min(start + partSize, bytes.count)]))
        }
    }
}

struct PreparedDeclaration: Sendable {
    let messageGuid: String
    /// In ``BulkColumns/declarations`` order.
    let values: [SQLValue]
    let lineCount: Int
}

struct PreparedLine: Sendable {
    /// In ``BulkColumns/lineKey`` order.
    let key: [SQLValue]
    /// In ``BulkColumns/lines`` order.
    let values: [SQLValue]
}

/// One transaction's worth of rows.
struct PreparedChunk: Sendable {
    var messages: [PreparedMessage] = []
    var declarations: [PreparedDeclaration] = []
    var lines: [PreparedLine] = []
    /// Unix milliseconds used for `created_at` / `recorded_at`.
    var now: Int64 = 0

    /// Validates and converts ingest items. Raw buyer IDs and phones go no further than here.
    init(items: [IngestItem], masker: BuyerIdentityMasker, now: Int64) throws(StoreError) {
        self.now = now
        for item in items {
            let m = item.message
            guard !m.guid.isEmpty else { throw .invalidInput("a message has an empty guid") }
            guard !m.messageType.isEmpty else { throw .invalidInput("message \(m.guid) has no message type") }
            messages.append(PreparedMessage(guid: m.guid, values: [
                .text(m.guid), .text(m.messageType), .text(m.senderCode), .text(m.direction.rawValue),
                .time(m.receivedAt), .text(m.sha256.lowercased()), .blob([]), .text(m.signatureVerdict),
                .integer(Int64(m.rawBytes.count)),
            ], parts: PreparedMessage.parts(of: m.rawBytes)))
            try appendDeclarations(item.declarations, messageGuid: m.guid, senderCode: m.senderCode, masker: masker)
        }
    }

    /// Adds another chunk's rows after these (group commit writes several single messages,
    /// each validated on its own, as one chunk).
    mutating func append(_ other: PreparedChunk) {
        messages += other.messages
        declarations += other.declarations
        lines += other.lines
    }

    /// Converts the declarations of a streamed chunk (its message row is already stored).
    init(streamed chunk: StreamedChunk, masker: BuyerIdentityMasker, now: Int64) throws(StoreError) {
        self.now = now
        try appendDeclarations(chunk.declarations, messageGuid: chunk.messageGuid, senderCode: chunk.senderCode, masker: masker)
        for d in chunk.moreLines {
            guard d.messageGuid == chunk.messageGuid else {
                throw .invalidInput("lines of declaration \(d.declarationGuid) name message \(d.messageGuid) but are carried by \(chunk.messageGuid)")
            }
            try appendLines(of: d, senderCode: chunk.senderCode)
        }
    }

    private mutating func appendDeclarations(
        _ records: [DeclarationRecord], messageGuid: String, senderCode: String, masker: BuyerIdentityMasker
    ) throws(StoreError) {
        let m = (guid: messageGuid, senderCode: senderCode)
        for d in records {
            guard d.messageGuid == m.guid else {
                throw .invalidInput("declaration \(d.declarationGuid) names message \(d.messageGuid) but is carried by \(m.guid)")
            }
            guard !d.declarationGuid.isEmpty else { throw .invalidInput("a declaration in \(m.guid) has an empty guid") }
            let idNumber = d.buyerIdNumber.flatMap { $0.trimmingSpaces.isEmpty ? nil : $0 }
            let telephone = d.buyerTelephone.flatMap { $0.trimmingSpaces.isEmpty ? nil : $0 }
            let dedupKey = d.dedupKey
            declarations.append(PreparedDeclaration(messageGuid: m.guid, values: [
                .text(d.kind.rawValue), .text(d.declarationGuid), .text(m.senderCode), .text(dedupKey),
                .optional(d.appType), .optionalTime(d.appTime),
                .optional(d.orderNo), .optional(d.logisticsNo), .optional(d.invtNo), .optional(d.copNo),
                .optional(d.preNo), .optional(d.payTransactionId), .optional(d.billNo),
                .optional(d.ebpCode), .optional(d.ebcCode), .optional(d.logisticsCode), .optional(d.agentCode),
                .optional(d.payCode), .optional(d.customsCode), .optional(d.portCode),
                .optional(d.tradeMode), .optional(d.ieFlag), .optional(d.buyerIdType),
                .optional(idNumber.map { masker.hash(idNumber: $0) }),
                .optional(idNumber.map { BuyerIdentityMasker.maskIdNumber($0) }),
                .optional(d.buyerName),
                .optional(telephone.map { BuyerIdentityMasker.maskTelephone($0) }),
                .optional(d.goodsValue), .optional(d.freight), .optional(d.taxTotal), .optional(d.acturalPaid),
                .optional(d.currency), .text(d.status.rawValue),
            ], lineCount: d.lines.count))
            try appendLines(of: d, senderCode: m.senderCode, dedupKey: dedupKey)
        }
    }

    /// The lines of `d`, attached to their declaration through its unique key (kind, sender, dedup key).
    private mutating func appendLines(of d: DeclarationRecord, senderCode: String, dedupKey: String? = nil) throws(StoreError) {
        var gnums = Set<Int>()
        for line in d.lines where !gnums.insert(line.gnum).inserted {
            throw .invalidInput("declaration \(d.declarationGuid) repeats line gnum \(line.gnum)")
        }
        let key: [SQLValue] = [.text(d.kind.rawValue), .text(senderCode), .text(dedupKey ?? d.dedupKey)]
        for l in d.lines {
            lines.append(PreparedLine(key: key, values: [
                .integer(Int64(l.gnum)), .optional(l.itemNo), .optional(l.itemName), .optional(l.gcode),
                .optional(l.qty), .optional(l.unit), .optional(l.price), .optional(l.totalPrice),
                .optional(l.currency), .optional(l.country),
            ]))
        }
    }
}

extension PreparedDeclaration {
    var key: DeclarationKey { DeclarationKey(declarationValues: values) }
    /// The head guid, which `declaration_keys` keeps beside the key (migration 83).
    var guid: SQLValue { values[1] }
}

extension PreparedLine {
    var declarationKey: DeclarationKey { DeclarationKey(lineKey: key) }
    /// `gnum`, the line's first value.
    var gnum: Int64 { if case .integer(let n) = values[0] { return n }; return 0 }
}

extension PreparedChunk {
    /// The declarations in the order every writer inserts them (``DeclarationKey``'s).
    var declarationsInKeyOrder: [PreparedDeclaration] {
        declarations.map { ($0.key, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The lines in the same order, then by `gnum` (lines of a declaration already stored may
    /// conflict with another transaction's too).
    var linesInKeyOrder: [PreparedLine] {
        lines.map { ($0.declarationKey, $0.gnum, $0) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map(\.2)
    }
}
