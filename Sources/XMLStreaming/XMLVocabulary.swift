/// The names a parser reports as symbols (indexes into ``names``), hashed once and shared by
/// every parser that uses them.
///
/// A parser learns which of libxml2's interned name pointers stand for which symbol as it
/// meets them (see `SymbolMap`), asking this table once per distinct name. The vocabulary is
/// deliberately *not* interned into libxml2's dictionary up front: the CEB vocabulary (several
/// hundred names) makes that dictionary outgrow its first 128 slots, after which libxml2 hashes
/// every name of the document with its slower full-length key, and interning it cost ~40 µs
/// for every parser, so for every single message.
public final class XMLVocabulary: @unchecked Sendable, ExpressibleByArrayLiteral {
    // Immutable after init; the raw tables are freed in deinit, so reading them from any thread is safe.
    /// The names, in symbol order.
    public let names: [String]
    /// All names' UTF-8 bytes, back to back.
    let bytes: UnsafeMutablePointer<UInt8>
    /// Symbol → start of its name in `bytes`; `count + 1` entries, the last one the end.
    let starts: UnsafeMutablePointer<Int>
    /// Open-addressed hash table: slot → symbol, or -1 when empty.
    let slots: UnsafeMutablePointer<Int32>
    let mask: Int

    /// A vocabulary of no names: every symbol is -1.
    public static let empty = XMLVocabulary([])

    /// Creates a vocabulary; a name given twice keeps its first index.
    public init(_ names: [String]) {
        self.names = names
        let total = names.reduce(0) { $0 + $1.utf8.count }
        bytes = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: names.count + 1)
        var capacity = 16
        while capacity < names.count * 2 { capacity *= 2 }
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1, count: capacity)
        mask = capacity - 1
        var offset = 0
        for (index, name) in names.enumerated() {
            starts[index] = offset
            for byte in name.utf8 { bytes[offset] = byte; offset += 1 }
            let found = symbol(UnsafeBufferPointer(start: bytes + starts[index], count: offset - starts[index]), before: index)
            if found.symbol < 0 { slots[found.slot] = Int32(index) }
        }
        starts[names.count] = offset
    }

    public convenience init(arrayLiteral names: String...) { self.init(names) }

    deinit {
        bytes.deallocate()
        starts.deallocate()
        slots.deallocate()
    }

    /// The symbol of a NUL-terminated UTF-8 name, or -1 when it is not in the vocabulary.
    func symbol(of name: UnsafePointer<UInt8>) -> Int32 {
        if names.isEmpty { return -1 }
        var length = 0
        while name[length] != 0 { length += 1 }
        return symbol(UnsafeBufferPointer(start: name, count: length), before: names.count).symbol
    }

    /// Looks `name` up among the first `limit` names: its symbol (or -1) and the slot where the probe ended.
    private func symbol(_ name: UnsafeBufferPointer<UInt8>, before limit: Int) -> (symbol: Int32, slot: Int) {
        // FNV-1a: names are short, and the table is only asked once per distinct name and parser.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let symbol = Int(slots[slot])
            if symbol < 0 { return (-1, slot) }
            if symbol < limit, starts[symbol + 1] - starts[symbol] == name.count,
               UnsafeBufferPointer(start: bytes + starts[symbol], count: name.count).elementsEqual(name) {
                return (Int32(symbol), slot)
            }
            slot = (slot + 1) & mask
        }
    }
}
