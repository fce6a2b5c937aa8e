/// The X.509 key usage bits (RFC 5280 §4.2.1.3) that matter for signing and CA decisions.
public struct KeyUsage: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The bit mask, in libcrypto's `KU_*` layout.
    public let rawValue: UInt32

    /// Creates a key usage set from libcrypto's `KU_*` bit mask.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// digitalSignature: signing data such as XML messages.
    public static let digitalSignature = KeyUsage(rawValue: 0x0080)
    /// nonRepudiation (contentCommitment): signing with legal commitment; e-port certificates carry it.
    public static let nonRepudiation = KeyUsage(rawValue: 0x0040)
    /// keyEncipherment.
    public static let keyEncipherment = KeyUsage(rawValue: 0x0020)
    /// dataEncipherment.
    public static let dataEncipherment = KeyUsage(rawValue: 0x0010)
    /// keyAgreement.
    public static let keyAgreement = KeyUsage(rawValue: 0x0008)
    /// keyCertSign: issuing certificates (CAs).
    public static let keyCertSign = KeyUsage(rawValue: 0x0004)
    /// cRLSign: signing revocation lists (CAs).
    public static let cRLSign = KeyUsage(rawValue: 0x0002)

    /// Whether the key may sign documents: the digitalSignature bit, as XML-DSig verification
    /// requires (e-port signing certificates carry it, with nonRepudiation).
    public var permitsDocumentSigning: Bool {
        contains(.digitalSignature)
    }

    private static let names: [(KeyUsage, String)] = [
        (.digitalSignature, "digitalSignature"), (.nonRepudiation, "nonRepudiation"),
        (.keyEncipherment, "keyEncipherment"), (.dataEncipherment, "dataEncipherment"),
        (.keyAgreement, "keyAgreement"), (.keyCertSign, "keyCertSign"), (.cRLSign, "cRLSign"),
    ]

    /// Comma-separated RFC 5280 names (also the syntax OpenSSL's extension config expects).
    public var description: String {
        Self.names.filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}
