import Foundation
import XMLSignature

/// The message-level guid of a part of a split message: a name-based UUID (version 5, RFC 9562)
/// of the original guid, the part number and the number of parts, upper-case as the official
/// schema asks (`guid`: 36 characters, capital letters).
///
/// Derived, never random, so building a part again (a retry, a replay, the message forwarded
/// again) gives the same guid and customs' duplicate check recognises it; the part count is in the
/// name so that a different split of the same message never reuses a guid for other documents.
enum PartGuid {
    /// Clearance's namespace for part guids (a fixed random UUID).
    static let namespace: [UInt8] = [
        0x6B, 0x1C, 0x3E, 0x52, 0x9D, 0x47, 0x4F, 0x0A, 0x8E, 0x21, 0x5C, 0x77, 0xD3, 0x04, 0xB9, 0x6E,
    ]

    static func make(original: String, part: Int, of count: Int) -> String {
        var digest = DigestAlgorithm.sha1.digest(namespace + Array("\(original)#part=\(part)/\(count)".utf8))
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                               digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
        return uuid.uuidString.uppercased()
    }
}
