/// Check digits of the identity codes customs verifies.
public enum IdentityCodes {
    /// Whether an 18-character resident identity number has a valid GB 11643 check digit
    /// (17 digits, then a digit or `X`).
    public static func isValidResidentID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 18 else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for index in 0..<17 {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return false }
            sum += Int(digit) * weights[index]
        }
        let check: [UInt8] = Array("10X98765432".utf8)
        let last = bytes[17] == UInt8(ascii: "x") ? UInt8(ascii: "X") : bytes[17]
        return check[sum % 11] == last
    }

    /// Whether an 18-character unified social credit code has a valid GB 32100 check character.
    public static func isValidSocialCreditCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 18 else { return false }
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        var sum = 0
        for index in 0..<17 {
            guard let value = socialCreditValue(bytes[index]) else { return false }
            sum += value * weights[index]
        }
        guard let check = socialCreditValue(bytes[17]) else { return false }
        return (31 - sum % 31) % 31 == check
    }

    /// The value of a character in the GB 32100 alphabet `0-9A-HJ-NPQRTUWXY`.
    static func socialCreditValue(_ byte: UInt8) -> Int? {
        if byte &- 48 < 10 { return Int(byte &- 48) }
        let alphabet: [UInt8] = Array("ABCDEFGHJKLMNPQRTUWXY".utf8)
        return alphabet.firstIndex(of: byte).map { $0 + 10 }
    }

    /// Convenience for strings.
    public static func isValidResidentID(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { isValidResidentID($0) }
    }

    /// Convenience for strings.
    public static func isValidSocialCreditCode(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { isValidSocialCreditCode($0) }
    }
}
