import COpenSSL

/// Personal-data protection for declarations: buyer ID numbers are kept only as a keyed hash
/// (so the same buyer can be matched across order, payment and inventory, and counted against
/// the annual limit) plus a masked display form; telephones are kept masked only.
public struct BuyerIdentityMasker: Sendable {
    /// HMAC's key blocks (the salt padded, XOR 0x36 and 0x5c), made once.
    private let innerPad: [UInt8]
    private let outerPad: [UInt8]

    /// - Parameter salt: secret deployment-wide salt, at least 16 bytes. Keep it out of the database:
    ///   with the salt, an 18-character resident ID is cheap to brute-force from its hash.
    public init(salt: [UInt8]) throws(StoreError) {
        guard salt.count >= 16 else { throw .invalidInput("buyer ID salt must be at least 16 bytes, got \(salt.count)") }
        let blockSize = 64
        var key = salt.count > blockSize ? SHA256Digest.bytes(of: salt) : salt
        key += [UInt8](repeating: 0, count: blockSize - key.count)
        innerPad = key.map { $0 ^ 0x36 }
        outerPad = key.map { $0 ^ 0x5c }
    }

    /// The salted hash of an ID number: HMAC-SHA-256 keyed with the salt over the ID with
    /// whitespace trimmed and letters upper-cased (so `...123x` and `...123X` match), in lower-case hex.
    public func hash(idNumber: String) -> String {
        let inner = SHA256Digest.bytes(of: innerPad + Self.normalize(idNumber).utf8)
        return SHA256Digest.hex(of: outerPad + inner)
    }

    /// Masked display form: 18-character resident ID → `3501**********123X` (first 4, last 4);
    /// 8–17 characters → first 2 and last 2 kept; shorter → all masked.
    public static func maskIdNumber(_ idNumber: String) -> String {
        let id = normalize(idNumber)
        func keep(_ count: Int) -> Int { count >= 18 ? 4 : count >= 8 ? 2 : 0 }
        // ID numbers are ASCII: masked byte by byte; anything else character by character (so is a
        // CR, which with a LF after it is one character).
        var bytes = Array(id.utf8)
        if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            let k = keep(bytes.count)
            for i in k..<(bytes.count - k) { bytes[i] = 0x2A }
            return String(decoding: bytes, as: UTF8.self)
        }
        let chars = Array(id), k = keep(chars.count)
        return String(chars.prefix(k)) + String(repeating: "*", count: chars.count - 2 * k) + String(chars.suffix(k))
    }

    /// Masked telephone: 11-digit mobile `13812345678` → `138****5678`; other lengths ≥ 7 keep the
    /// first 3 and last 4; shorter numbers keep only the last 2. Non-digits are kept where they are
    /// outside the masked span.
    public static func maskTelephone(_ telephone: String) -> String {
        let chars = Array(telephone.trimmingSpaces)
        let head: Int, tail: Int
        if chars.count >= 7 { (head, tail) = (3, 4) } else { (head, tail) = (0, min(2, chars.count)) }
        var out = ""
        for (i, c) in chars.enumerated() {
            out.append(i < head || i >= chars.count - tail ? c : "*")
        }
        return out
    }

    static func normalize(_ id: String) -> String { id.trimmingSpaces.uppercased() }
}

extension String {
    var trimmingSpaces: String {
        // ASCII needs no grapheme breaking: its whitespace is space and \t \n \v \f \r.
        let ascii = utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            func space(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
            guard let first = bytes.firstIndex(where: { !space($0) }) else { return "" }
            let last = bytes.lastIndex(where: { !space($0) })!
            return first == 0 && last == bytes.count - 1 ? self : String(decoding: bytes[first...last], as: UTF8.self)
        }
        if let ascii, let trimmed = ascii { return trimmed }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
