/// Lower-case hexadecimal, the one spelling of digests in the store (message SHA-256, keyed ID
/// hashes, migration checksums) and of webhook secrets and signatures.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)
    /// Two lower-case digits a byte.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
    /// The bytes of an even number of hex digits (either case); nil for anything else.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { decode($0) }
    }

    /// The bytes of an even number of hex digits (either case) held in `utf8`; nil for anything else.
    /// PostgreSQL hands every `bytea` cell over this way, a stored message's raw bytes included.
    public static func decode(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        return values.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: utf8.count / 2) { out, written in
                var i = 0
                while i < utf8.count {
                    let hi = table[Int(utf8[i])], lo = table[Int(utf8[i + 1])]
                    guard hi | lo < 16 else { return }
                    out[written] = hi << 4 | lo
                    written += 1
                    i += 2
                }
            }
        }.nilUnlessCount(utf8.count / 2)
    }

    /// Each byte's value as a hex digit, or 0xff.
    private static let values: [UInt8] = (0...255).map { c in
        switch UInt8(c) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(c) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(c) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(c) - UInt8(ascii: "A") + 10
        default: 0xff
        }
    }
}

private extension Array where Element == UInt8 {
    func nilUnlessCount(_ expected: Int) -> [UInt8]? { count == expected ? self : nil }
}
