/// Check digits of the identity codes customs verifies.
public enum IdentityCodes {
    /// Whether an 18-character resident identity number has a valid GB 11643 check digit
    /// (17 digits, then a digit or `X`).
    public static func isValidResidentID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 18 else { return false }
        var sum = 0
        for index in 0..<17 {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return false }
            sum += Int(digit) * Int(residentWeights[index])
        }
        let last = bytes[17] == UInt8(ascii: "x") ? UInt8(ascii: "X") : bytes[17]
        return residentCheck[sum % 11] == last
    }

    /// Whether an 18-character unified social credit code has a valid GB 32100 check character.
    public static func isValidSocialCreditCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 18 else { return false }
        var sum = 0
        for index in 0..<17 {
            let value = socialCreditValues[Int(bytes[index])]
            guard value >= 0 else { return false }
            sum += Int(value) * Int(socialCreditWeights[index])
        }
        let check = socialCreditValues[Int(bytes[17])]
        return check >= 0 && (31 - sum % 31) % 31 == Int(check)
    }

    static let residentWeights: [UInt8] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let residentCheck: [UInt8] = Array("10X98765432".utf8)
    static let socialCreditWeights: [UInt8] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// Byte → value in the GB 32100 alphabet `0-9A-HJ-NPQRTUWXY`, or -1.
    static let socialCreditValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, byte) in "0123456789ABCDEFGHJKLMNPQRTUWXY".utf8.enumerated() { table[Int(byte)] = Int8(value) }
        return table
    }()

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
