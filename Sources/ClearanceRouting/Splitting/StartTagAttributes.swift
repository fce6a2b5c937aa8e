/// Reads the attributes of a start tag in raw bytes, to find where one attribute's value lies (the
/// split rewrites the root's `guid` there and nowhere else).
///
/// The tag has already been read by the parser, so it is well-formed: `<name`, then attributes
/// `name S? = S? "value"` (or single quotes) separated by white space, then `>` or `/>`. Quotes and
/// `>` are ASCII in every encoding a CEB message may use (UTF-8, GBK/GB18030 trail bytes are ≥ 0x40),
/// so a byte scan does not mistake part of a character for one of them.
enum StartTagAttributes {
    /// The range (in `bytes`) of the value of the unprefixed attribute `name` of the tag starting at
    /// `start` (its `<`), without the quotes; nil when the tag has no such attribute.
    static func valueRange(of name: String, inTagAt start: Int, in bytes: [UInt8]) -> Range<Int>? {
        let wanted = Array(name.utf8)
        var index = start + 1
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        // The element name.
        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != 0x3E, bytes[index] != 0x2F { index += 1 }
        while index < bytes.count {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] != 0x3E, bytes[index] != 0x2F else { return nil }
            let nameStart = index
            while index < bytes.count, !isSpace(bytes[index]), bytes[index] != 0x3D { index += 1 }
            let attribute = bytes[nameStart..<index]
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == 0x3D else { return nil }
            index += 1
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 else { return nil }
            let quote = bytes[index]
            let valueStart = index + 1
            guard let valueEnd = bytes[valueStart...].firstIndex(of: quote) else { return nil }
            if attribute.elementsEqual(wanted) { return valueStart..<valueEnd }
            index = valueEnd + 1
        }
        return nil
    }
}
