import Foundation
import XMLSignature

/// The buyer page's shareable link: `/track/t/<token>`, where the token is HMAC-derived with a server
/// secret rather than random and stored.
///
/// `token = base64url(id ‖ HMAC-SHA-256(key, "clearance-track-v1" ‖ id)[0..<16])`, `id` the order
/// declaration's row id as 8 big-endian bytes. Why derived and not random: the API hands the same
/// link out on every read of an order without writing anything (a random token would have to be
/// stored in clear to be shown twice, or a new one minted and stored per read), nothing about a link
/// sits in the database for a leak to give away, and changing the secret withdraws every link at
/// once. The 128-bit tag makes a token unguessable without the key; the row id in it is a counter
/// with no personal meaning (it shows roughly how many declarations the store holds, nothing more),
/// never the order number.
struct TrackingLink: Sendable {
    /// The link key (≥ 16 bytes).
    let key: [UInt8]

    private static let label = Array("clearance-track-v1".utf8)
    private static let tagLength = 16

    /// The token for the declaration with row id `id`.
    func token(for id: Int64) -> String {
        let idBytes = Self.bytes(of: id)
        let tag = HMACSHA256.authenticate(key: key, message: Self.label + idBytes).prefix(Self.tagLength)
        return Self.base64URL(idBytes + tag)
    }

    /// The row id a token stands for, or nil when it is malformed or its tag does not verify
    /// (compared in constant time).
    func declarationId(token: String) -> Int64? {
        guard token.utf8.count == 32, let raw = Self.decodeBase64URL(token), raw.count == 8 + Self.tagLength else { return nil }
        let idBytes = Array(raw.prefix(8))
        let expected = Array(HMACSHA256.authenticate(key: key, message: Self.label + idBytes).prefix(Self.tagLength))
        guard HMACSHA256.constantTimeEqual(Array(raw.suffix(Self.tagLength)), expected) else { return nil }
        return idBytes.reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    private static func bytes(of id: Int64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: id >> (56 - 8 * $0)) }
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0)
            || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
