import ClearanceStore
import Hummingbird
import NIOCore

/// The request context of every route: who is calling, once ``APIKeyAuthenticator`` has run.
public struct EnterpriseContext: RequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated enterprise (or ops account); nil on public routes.
    public var enterprise: EnterpriseRecord?
    /// The prefix of the API key used (for logs and rate limiting), or `tls:` and the client
    /// certificate digest's start for mutual-TLS callers.
    public var keyPrefix: String?
    /// The ops-page session token the caller signed in with (its forms' CSRF token derives from it);
    /// nil for callers authenticated by key or certificate.
    var opsSessionToken: String?
    /// The connection (for the client certificate of a mutual-TLS caller).
    let channel: any Channel
    /// The ops pages' language (``OpsLanguageMiddleware``).
    var language: OpsLanguage = .en
    /// This page in the other language (the pages' switch).
    var languageLink = "?lang=zh"

    /// Creates an unauthenticated context.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        enterprise = nil
        keyPrefix = nil
        opsSessionToken = nil
        channel = source.channel
    }

    /// The caller, or a 401 when the request is not authenticated.
    public func requireEnterprise() throws(HTTPError) -> EnterpriseRecord {
        guard let enterprise else { throw HTTPError(.unauthorized, message: "an API key is required (Authorization: Bearer …)") }
        return enterprise
    }

    /// Whether the caller is an ops account.
    public var isOps: Bool { enterprise?.role == .ops }
}
