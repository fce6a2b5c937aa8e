/// Masks what a payment provider's request or response may hold: ID and telephone numbers (as
/// ``PersonalDataScrubber`` does everywhere) and card or account numbers, which the scrubber does not
/// look for: any run of 12 to 32 digits not inside a longer word keeps its first 4 and last 4 digits
/// (`6222**********1234`, as card numbers are shown on receipts). The upper bound reaches past card
/// numbers (19) to bank account numbers (a Chinese company account runs to 20 digits or more); a
/// 13-digit millisecond time is masked too, which a view can spare.
public enum PaymentOriginalMasker {
    /// `text` with ID, telephone and card numbers masked.
    public static func mask(_ text: String) -> String {
        let scrubbed = Array(PersonalDataScrubber.scrub(text).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(scrubbed.count)
        var index = 0
        while index < scrubbed.count {
            guard isDigit(scrubbed[index]), index == 0 || !isWord(scrubbed[index - 1]) else {
                out.append(scrubbed[index])
                index += 1
                continue
            }
            var end = index
            while end < scrubbed.count, isDigit(scrubbed[end]) { end += 1 }
            let run = scrubbed[index..<end]
            let standalone = end == scrubbed.count || !isWord(scrubbed[end])
            if standalone, (12...32).contains(run.count) {
                out += run.prefix(4) + [UInt8](repeating: UInt8(ascii: "*"), count: run.count - 8) + run.suffix(4)
            } else {
                out += run
            }
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isWord(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "*")
    }
}
