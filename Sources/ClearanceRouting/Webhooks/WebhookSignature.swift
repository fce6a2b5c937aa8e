import ClearanceStore
import Foundation
import XMLSignature

/// The shared-secret signature on webhook deliveries, in the style webhook consumers know
/// (Stripe, GitHub): every POST carries
///
///     X-Clearance-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
///     X-Clearance-Event: receipt
///     X-Clearance-Delivery: <delivery id, the same on every retry>
///
/// The key is the secret exactly as printed when the webhook was registered (its UTF-8 bytes,
/// `whsec_` prefix included); the message is the decimal timestamp, a full stop, then the raw
/// body bytes. Receivers recompute the HMAC, compare in constant time, and refuse timestamps more
/// than ``defaultTolerance`` seconds from their clock (replays). ``verify(header:body:secret:now:tolerance:)``
/// is that check.
public enum WebhookSignature {
    /// The signature header.
    public static let signatureHeader = "X-Clearance-Signature"
    /// The event name header.
    public static let eventHeader = "X-Clearance-Event"
    /// The delivery id header (stable across retries of one delivery: receivers dedupe by it).
    public static let deliveryHeader = "X-Clearance-Delivery"
    /// How far a signature's timestamp may be from the receiver's clock, in seconds.
    public static let defaultTolerance: TimeInterval = 300

    /// A new secret: `whsec_` and 64 lower-case hex characters (32 bytes from the system CSPRNG).
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Hex.encode(bytes)
    }

    /// The `X-Clearance-Signature` value for `body` signed at `timestamp` (unix seconds).
    public static func header(body: [UInt8], secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(HMACSHA256.hex(key: Array(secret.utf8), message: signedPayload(body, timestamp: timestamp)))"
    }

    /// Checks a delivery as a receiver does: the header parses, its timestamp is within
    /// `tolerance` of `now`, and one of its `v1` values is the HMAC of `"<t>.<body>"` under `secret`.
    /// - Throws: ``WebhookSignatureError`` naming what is wrong.
    public static func verify(
        header: String?, body: [UInt8], secret: String, now: Date = Date(), tolerance: TimeInterval = defaultTolerance
    ) throws(WebhookSignatureError) {
        guard let header, !header.isEmpty else { throw .missingHeader }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw .malformedHeader(header) }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": if let bytes = Hex.decode(pair[1]) { signatures.append(bytes) }
            default: continue // other schemes: ignored, as receivers should
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformedHeader(header) }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else {
            throw .timestampOutOfTolerance(timestamp: timestamp, tolerance: tolerance)
        }
        let expected = HMACSHA256.authenticate(key: Array(secret.utf8), message: signedPayload(body, timestamp: timestamp))
        guard signatures.contains(where: { HMACSHA256.constantTimeEqual($0, expected) }) else { throw .signatureMismatch }
    }

    static func signedPayload(_ body: [UInt8], timestamp: Int64) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }
}

/// Why a webhook delivery's signature does not check out.
public enum WebhookSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `X-Clearance-Signature` header.
    case missingHeader
    /// The header is not `t=<seconds>,v1=<hex>[,v1=<hex>…]`.
    case malformedHeader(String)
    /// The timestamp is too far from the receiver's clock (a replay, or a skewed clock).
    case timestampOutOfTolerance(timestamp: Int64, tolerance: TimeInterval)
    /// No `v1` value matches: the body was altered, or the secret is not this webhook's.
    case signatureMismatch

    public var description: String {
        switch self {
        case .missingHeader: "no \(WebhookSignature.signatureHeader) header"
        case .malformedHeader(let value): "\(WebhookSignature.signatureHeader) is not t=<seconds>,v1=<hex>: \(value.prefix(200))"
        case .timestampOutOfTolerance(let t, let tolerance): "signature timestamp \(t) is more than \(Int(tolerance)) s from now"
        case .signatureMismatch: "the signature does not match the body under this secret"
        }
    }
}
