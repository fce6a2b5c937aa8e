import ClearanceStore
import Foundation
import Hummingbird

/// Sign-in sessions of the ops pages.
///
/// The browser holds a random session token in the `clearance_session` cookie; the store keeps
/// only its SHA-256, tied to the API key typed into the sign-in form (revoking the key, signing
/// out or the expiry ends the session). The API key itself never travels in a cookie or a URL:
/// URLs end up in logs, history and `Referer` headers, and a cookie holding the key would hand
/// the key to anything that can read the browser's cookie jar.
///
/// Every form that changes state carries a CSRF token: for a session, the SHA-256 of its token
/// with a fixed label (a page can show it, a foreign site cannot compute it without the HttpOnly
/// cookie); for the sign-in form, which has no session yet, a random value also set as the
/// `clearance_login` cookie (double submit), so another site cannot sign a browser in to an
/// account of its choosing.
enum OpsSession {
    /// The session cookie.
    static let cookieName = "clearance_session"
    /// The sign-in form's double-submit cookie.
    static let loginCookieName = "clearance_login"
    /// The form field carrying the CSRF token.
    static let csrfField = "csrf"
    /// The session cookie is sent to the ops pages only: the `/v1` API takes keys in headers, so
    /// a cookie can never make a cross-site request to it count as authenticated.
    static let cookiePath = "/ops"

    /// A new random token: 32 bytes from the system CSPRNG, as lower-case hex.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// Whether a cookie value looks like a token (so junk is refused without a store lookup).
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
        }
    }

    /// What the store keeps of a session token.
    static func hash(_ token: String) -> String { APIKey.hash("session:" + token) }

    /// The CSRF token of the forms of a session.
    static func csrfToken(session token: String) -> String { APIKey.hash("csrf:" + token) }

    /// Compares two secrets in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Whether the browser reached the service over TLS: a TLS listener, or — only when the
    /// configuration trusts a proxy in front — `X-Forwarded-Proto: https` (a client could send
    /// the header itself, so it means nothing without a proxy that sets it).
    static func cameOverTLS(_ request: Request, _ configuration: ServerConfiguration) -> Bool {
        if configuration.tls != nil { return true }
        guard configuration.trustForwardedProto, let proto = request.headers[.xForwardedProto] else { return false }
        // A chain of proxies appends: the first value is what the client used.
        return proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    /// A cookie of the ops pages: HttpOnly, SameSite=Strict, path `/ops`, Secure over TLS.
    static func cookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: cookiePath, secure: secure, httpOnly: true, sameSite: .strict)
    }
}
