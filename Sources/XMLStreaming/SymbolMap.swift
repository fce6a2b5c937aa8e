/// Maps libxml2's interned name pointers to vocabulary indexes, for one parser.
///
/// libxml2 interns every element, attribute and namespace name in its parser dictionary, so
/// within one parser a name's pointer *is* its identity. The map learns each pointer the first
/// time it meets it (one look-up of the name's bytes in the ``XMLVocabulary``) and from then on
/// answers with a multiply, a shift and a compare, with no string hashing.
///
/// The table lives in manually managed memory so that copying the map (into every
/// ``XMLStartElement``) costs no reference counting; its owner keeps the vocabulary alive and
/// calls ``deallocate()``.
@usableFromInline
struct SymbolMap {
    @usableFromInline let keys: UnsafeMutablePointer<UInt>
    @usableFromInline let values: UnsafeMutablePointer<Int32>
    /// Pointers learnt so far; at most half the table, so probes stay short. Names met beyond
    /// that (only a document with hundreds of distinct names) are looked up each time.
    @usableFromInline let learnt: UnsafeMutablePointer<Int>
    @usableFromInline let mask: Int
    @usableFromInline let shift: Int
    @usableFromInline let vocabulary: Unmanaged<XMLVocabulary>

    init(vocabulary: XMLVocabulary) {
        var bits = 4
        while (1 << bits) < vocabulary.names.count * 4 { bits += 1 }
        let capacity = 1 << bits
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: -1, count: capacity)
        learnt = .allocate(capacity: 1)
        learnt.initialize(to: 0)
        mask = capacity - 1
        shift = 64 - bits
        self.vocabulary = .passUnretained(vocabulary)
    }

    /// Frees the table; the map must not be used afterwards.
    func deallocate() {
        keys.deallocate()
        values.deallocate()
        learnt.deallocate()
    }

    @inlinable @inline(__always)
    static func slot(_ key: UInt, _ shift: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The vocabulary index of an interned name, or -1.
    @inlinable @inline(__always)
    func symbol(for pointer: UnsafePointer<UInt8>?) -> Int32 {
        guard let pointer else { return -1 }
        let key = UInt(bitPattern: pointer)
        var slot = Self.slot(key, shift)
        while true {
            let found = keys[slot]
            if found == key { return values[slot] }
            if found == 0 { return learn(pointer, slot: slot) }
            slot = (slot + 1) & mask
        }
    }

    /// Looks a name met for the first time up in the vocabulary, and remembers its pointer in `slot`.
    @usableFromInline
    func learn(_ pointer: UnsafePointer<UInt8>, slot: Int) -> Int32 {
        let symbol = vocabulary._withUnsafeGuaranteedRef { $0.symbol(of: pointer) }
        if learnt.pointee < (mask + 1) / 2 {
            keys[slot] = UInt(bitPattern: pointer)
            values[slot] = symbol
            learnt.pointee += 1
        }
        return symbol
    }
}
