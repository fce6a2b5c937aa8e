import ClearanceStore
import Foundation
import Hummingbird
import NIOSSL

/// Authenticates callers by API key (`Authorization: Bearer <key>`, `X-API-Key: <key>`), by
/// mutual-TLS client certificate, or — on the ops pages only — by the sign-in session whose token
/// the `clearance_session` cookie holds (see ``OpsSession``; the key itself is never a cookie).
///
/// Systems that cannot set headers (a customs gateway posting receipts to a configured URL) may
/// pass `?api_key=` on `POST /v1/messages` only; the request log never records query strings.
///
/// A request without a key passes through unauthenticated (public routes answer it; protected
/// ones refuse it with 401). A request with an unknown, revoked or malformed key gets 401 at once;
/// an unknown or expired session cookie is ignored (the page then asks to sign in again).
/// Authenticated requests are rate limited per key (429 with `Retry-After`).
struct APIKeyAuthenticator: RouterMiddleware {
    typealias Context = EnterpriseContext
    let store: any AccessStore
    let rateLimiter: RateLimiter
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The scraper's bearer token is the metrics token, not an API key (``HealthController`` checks it).
        if request.uri.path == "/metrics" { return try await next(request, context) }
        guard let key = Self.presentedKey(request) else {
            if let token = Self.presentedSession(request),
               let owner = try await store.opsSession(tokenHash: OpsSession.hash(token), now: Date()) {
                var context = context
                context.opsSessionToken = token
                return try await admit(owner.enterprise, prefix: owner.keyPrefix, request, context, next)
            }
            guard let (enterprise, digest) = try await clientCertificateEnterprise(context) else { return try await next(request, context) }
            return try await admit(enterprise, prefix: "tls:" + digest.prefix(12), request, context, next)
        }
        guard APIKey.isWellFormed(key), let enterprise = try await store.enterprise(apiKeyHash: APIKey.hash(key)) else {
            throw HTTPError(.unauthorized, message: "unknown or revoked API key")
        }
        return try await admit(enterprise, prefix: APIKey.prefix(of: key), request, context, next)
    }

    private func admit(
        _ enterprise: EnterpriseRecord, prefix: String, _ request: Request, _ context: Context,
        _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let wait = rateLimiter.take(prefix) {
            metrics.rateLimited.increment()
            throw HTTPError(.tooManyRequests, headers: [.retryAfter: String(Int(wait.rounded(.up)))],
                            message: "rate limit exceeded for key \(prefix); retry later")
        }
        var context = context
        context.enterprise = enterprise
        context.keyPrefix = prefix
        return try await next(request, context)
    }

    /// The enterprise registered for the client certificate of a mutual-TLS connection.
    private func clientCertificateEnterprise(_ context: Context) async throws -> (EnterpriseRecord, String)? {
        guard let certificate = try? await context.channel.nioSSL_peerCertificate().get(),
              let der = try? certificate.toDERBytes() else { return nil }
        let digest = APIKey.hash(der)
        guard let enterprise = try await store.enterprise(clientCertificateSHA256: digest) else {
            throw HTTPError(.unauthorized, message: "the client certificate is not registered for any enterprise")
        }
        return (enterprise, digest)
    }

    static func presentedKey(_ request: Request) -> String? {
        if let auth = request.headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return auth
        }
        if let key = request.headers[.xAPIKey] { return key }
        if request.method == .post, request.uri.path == "/v1/messages", let key = request.uri.queryParameters.get("api_key") {
            return key
        }
        return nil
    }

    /// The session token of a request to an ops page, when its cookie holds a well-formed one.
    static func presentedSession(_ request: Request) -> String? {
        let path = request.uri.path
        guard path == OpsSession.cookiePath || path.hasPrefix(OpsSession.cookiePath + "/"),
              let token = request.cookies[OpsSession.cookieName]?.value, OpsSession.isWellFormed(token) else { return nil }
        return token
    }
}
