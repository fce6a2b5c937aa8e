/// Maps libxml2's interned name pointers to vocabulary indexes.
///
/// libxml2 interns every element, attribute and namespace name in its parser dictionary,
/// so after interning the vocabulary into that same dictionary, a name's pointer *is* its
/// identity: looking it up is a multiply, a shift and a compare, with no string hashing.
///
/// The table lives in manually managed memory so that copying the map (into every
/// ``XMLStartElement``) costs no reference counting; its owner calls ``deallocate()``.
@usableFromInline
struct SymbolMap {
    @usableFromInline let keys: UnsafeMutablePointer<UInt>
    @usableFromInline let values: UnsafeMutablePointer<Int32>
    @usableFromInline let mask: Int
    @usableFromInline let shift: Int

    init(pointers: [UnsafePointer<UInt8>]) {
        var bits = 4
        while (1 << bits) < pointers.count * 4 { bits += 1 }
        let capacity = 1 << bits
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: -1, count: capacity)
        mask = capacity - 1
        shift = 64 - bits
        for (index, pointer) in pointers.enumerated() {
            let key = UInt(bitPattern: pointer)
            var slot = Self.slot(key, shift)
            while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
            if keys[slot] == 0 {
                keys[slot] = key
                values[slot] = Int32(index)
            }
        }
    }

    /// Frees the table; the map must not be used afterwards.
    func deallocate() {
        keys.deallocate()
        values.deallocate()
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
            if found == 0 { return -1 }
            slot = (slot + 1) & mask
        }
    }
}
