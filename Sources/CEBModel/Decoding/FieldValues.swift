/// Where one field's text lies in the decoder's buffer, and where its element started.
struct FieldSlot: Sendable {
    /// Offset in the text buffer; -1 when the field was absent.
    var start: Int32 = -1
    /// Length in bytes of UTF-8.
    var length: Int32 = 0
    /// Line of the field's start tag.
    var line: Int32 = 0
    /// Column of the field's start tag.
    var column: Int32 = 0
}

/// The values of one record (a head or one line) as the decoder collected them, indexed
/// by field position in the record's ``RecordSpec``.
///
/// A view into the decoder's buffers: valid only while a typed value is being built from it.
public struct FieldValues {
    let text: UnsafeBufferPointer<UInt8>
    let slots: UnsafeBufferPointer<FieldSlot>

    /// Whether the field was present.
    @inlinable public func isPresent(_ field: Int) -> Bool { slotStart(field) >= 0 }

    @usableFromInline func slotStart(_ field: Int) -> Int32 { slots[field].start }

    /// The raw UTF-8 bytes of a present field.
    public func bytes(_ field: Int) -> UnsafeBufferPointer<UInt8>? {
        let slot = slots[field]
        guard slot.start >= 0 else { return nil }
        return UnsafeBufferPointer(rebasing: text[Int(slot.start)..<Int(slot.start + slot.length)])
    }

    /// The field's text, or nil when absent.
    public func text(_ field: Int) -> String? {
        bytes(field).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The field as a decimal; nil when absent or not a valid decimal (reported separately).
    public func decimal(_ field: Int) -> CEBDecimal? {
        bytes(field).flatMap { CEBDecimal(utf8: $0) }
    }

    /// The field as an integer; nil when absent or not an integer (reported separately).
    public func integer(_ field: Int) -> Int? {
        guard let bytes = bytes(field), !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte &- 48 < 10 else { return nil }
            value = value * 10 + Int(byte &- 48)
        }
        return value
    }

    /// Where the field's element started, or nil when absent.
    public func position(_ field: Int) -> (line: Int, column: Int)? {
        let slot = slots[field]
        guard slot.start >= 0 else { return nil }
        return (Int(slot.line), Int(slot.column))
    }
}

/// The values of one document: its head and its lines.
public struct DocumentValues {
    /// The head (or the flat document's own fields).
    public let head: FieldValues
    let lineText: UnsafeBufferPointer<UInt8>
    let lineSlots: UnsafeBufferPointer<FieldSlot>
    let lineWidth: Int
    /// Number of lines.
    public let lineCount: Int

    /// The values of line `index`.
    public func line(_ index: Int) -> FieldValues {
        FieldValues(text: lineText, slots: UnsafeBufferPointer(rebasing: lineSlots[(index * lineWidth)..<((index + 1) * lineWidth)]))
    }
}

/// A typed value that can be built from a record's values.
public protocol RecordDecodable: Sendable {
    /// Builds the value; absent required fields become empty strings or zero (the decoder reports them).
    init(_ values: FieldValues)
}
