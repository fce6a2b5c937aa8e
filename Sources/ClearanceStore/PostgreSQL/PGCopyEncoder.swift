/// Encodes rows in PostgreSQL's COPY text format: columns separated by tab, rows ended by
/// newline, NULL as `\N`, and backslash, newline, carriage return and tab escaped with a
/// backslash. bytea goes as its `\x…` hex form (with the backslash itself escaped).
struct PGCopyEncoder {
    var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 20 + 4096) }

    mutating func row(_ values: [SQLValue]) {
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.append(0x09) }
            field(value)
        }
        buffer.append(0x0A)
    }

    /// Appends fields without ending the row (call ``endRow()``).
    mutating func fields(_ values: [SQLValue], leadingTab: Bool) {
        for (i, value) in values.enumerated() {
            if i > 0 || leadingTab { buffer.append(0x09) }
            field(value)
        }
    }

    mutating func endRow() { buffer.append(0x0A) }

    mutating func field(_ value: SQLValue) {
        switch value {
        case .null:
            buffer.append(contentsOf: [0x5C, 0x4E]) // \N
        case .integer(let n):
            buffer.append(contentsOf: String(n).utf8)
        case .decimal(let d):
            buffer.append(contentsOf: d.description.utf8)
        case .text(let s):
            escaped(s)
        case .blob(let bytes):
            buffer.append(contentsOf: [0x5C, 0x5C, 0x78]) // \\x
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            for b in bytes {
                buffer.append(digits[Int(b >> 4)])
                buffer.append(digits[Int(b & 0x0F)])
            }
        }
    }

    private mutating func escaped(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ append(escaping: $0) }) == nil {
            Array(s.utf8).withUnsafeBufferPointer { append(escaping: $0) }
        }
    }

    private mutating func append(escaping bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes {
            switch b {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])     // backslash
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])     // \n
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])     // \r
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])     // \t
            default: buffer.append(b)
            }
        }
    }
}
