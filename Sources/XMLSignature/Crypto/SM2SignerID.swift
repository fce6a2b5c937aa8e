/// The signer distinguishing ID (`ID_A` of GM/T 0003) hashed into every SM2 signature's `Z` value.
///
/// Signer and verifier must use the same ID. E-port keys and the China E-Port CA use the GM/T 0009
/// default `1234567812345678`; OpenSSL 3.0 defaults to an *empty* ID, so this module always sets one.
public struct SM2SignerID: Sendable, Hashable, CustomStringConvertible {
    /// The raw ID bytes.
    public let bytes: [UInt8]

    /// An ID made of arbitrary bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// An ID made of the UTF-8 bytes of `text`.
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// `1234567812345678`, the GM/T 0009 default used by e-port keys and CAs.
    public static let gmtDefault = SM2SignerID("1234567812345678")

    /// The empty ID (OpenSSL 3.0's own default). Only for interoperating with peers that use it.
    public static let empty = SM2SignerID(bytes: [])

    /// The ID as text when it is UTF-8, else as hex.
    public var description: String {
        String(validating: bytes, as: UTF8.self) ?? OpenSSL.hex(bytes)
    }
}
