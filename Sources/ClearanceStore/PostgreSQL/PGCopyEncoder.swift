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
            if n < 0 { buffer.append(0x2D) }
            FixedDecimal.appendDigits(n.magnitude, width: 1, to: &buffer)
        case .decimal(let d):
            d.appendText(to: &buffer)
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

    /// The bytes with backslash, newline, carriage return and tab escaped; runs without them go
    /// in one copy (most fields have none).
    private mutating func append(escaping bytes: UnsafeBufferPointer<UInt8>) {
        var run = 0
        for (i, b) in bytes.enumerated() where b <= 0x5C && (b == 0x5C || b == 0x0A || b == 0x0D || b == 0x09) {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
            switch b {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])     // backslash
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])     // \n
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])     // \r
            default: buffer.append(contentsOf: [0x5C, 0x74])       // \t
            }
            run = i + 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
    }
}
