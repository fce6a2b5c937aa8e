import Foundation

/// Base64 as it appears in XML-DSig (`ds:SignatureValue`, `ds:X509Certificate`, `ds:DigestValue`).
///
/// Decoding ignores XML whitespace (space, tab, CR, LF) anywhere, because e-port senders wrap
/// long values over indented lines, but rejects every other character outside the alphabet:
/// garbage is an error, not silently dropped.
public enum Base64 {
    /// Encodes `bytes` as standard padded base64.
    ///
    /// - Parameter lineLength: when given (e.g. 76), inserts `\n` after every `lineLength` characters;
    ///   `nil` (the default) produces a single line.
    public static func encode(_ bytes: some Sequence<UInt8>, lineLength: Int? = nil) -> String {
        let text = Data(bytes).base64EncodedString()
        guard let lineLength, lineLength > 0, text.utf8.count > lineLength else { return text }
        var lines: [Substring] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            lines.append(rest.prefix(lineLength))
            rest = rest.dropFirst(lineLength)
        }
        return lines.joined(separator: "\n")
    }

    /// Decodes standard padded base64, skipping space, tab, CR and LF.
    ///
    /// - Throws: `CryptoError.invalidBase64` for any other non-alphabet character or bad length/padding.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        var compact: [UInt8] = []
        compact.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: compact.append(byte)
            }
        }
        guard let data = Data(base64Encoded: Data(compact)) else { throw .invalidBase64 }
        return [UInt8](data)
    }
}

extension Base64 {
    /// A PEM block: `-----BEGIN <label>-----`, base64 wrapped at 64 characters, `-----END <label>-----`.
    static func pem(label: String, _ der: [UInt8]) -> String {
        "-----BEGIN \(label)-----\n" + encode(der, lineLength: 64) + "\n-----END \(label)-----\n"
    }
}
