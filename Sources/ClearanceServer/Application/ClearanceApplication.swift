import Foundation
import Hummingbird
import Logging
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Builds the `clearance serve` application: the router with every controller and middleware,
/// on Hummingbird 2.
public enum ClearanceApplication {
    /// The router: public routes (`/health`, `/metrics`, `/openapi.yaml`), the `/v1` API and the
    /// `/ops` pages and the buyer's `/track` page. Exposed separately so tests can list its routes against the OpenAPI file.
    public static func buildRouter(_ environment: ServiceEnvironment) throws(ServerError) -> Router<EnterpriseContext> {
        let router = Router(context: EnterpriseContext.self)
        router.add(middleware: RequestLogMiddleware(logger: environment.logger, metrics: environment.metrics))
        router.add(middleware: OpsLanguageMiddleware())
        router.add(middleware: APIKeyAuthenticator(
            store: environment.store, rateLimiter: environment.rateLimiter, metrics: environment.metrics))
        HealthController(environment: environment, openAPI: ViewRenderer.openAPIDocument).register(on: router)
        BatchController(environment: environment).register(on: router)
        let messages = MessageController(environment: environment)
        messages.register(on: router)
        JSONDocumentController(environment: environment, messages: messages).register(on: router)
        ShipmentController(environment: environment).register(on: router)
        ReceiptController(environment: environment).register(on: router)
        OutboxController(environment: environment).register(on: router)
        HoldController(environment: environment).register(on: router)
        PaymentDataController(environment: environment).register(on: router)
        ExportMoneyController(environment: environment).register(on: router)
        SummaryReminderController(environment: environment).register(on: router)
        OpsPageController(environment: environment).register(on: router)
        TrackController(environment: environment).register(on: router)
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/ops"]) }
        return router
    }

    /// The application listening on the configured address (HTTPS, with optional client
    /// certificates, when ``ServerConfiguration/tls`` is set). Idle connections (stalled clients) are
    /// closed after twice the request timeout (at least the request timeout plus 60 s), so a
    /// trickling body gets its 408 before the socket is dropped. The 408's timer runs on the Swift
    /// task pool and the idle timeout on the event loop: with a margin of 10 s, a pool kept busy
    /// that long (a loaded test run on two cores) let the socket close first, unanswered.
    public static func build(
        _ environment: ServiceEnvironment, services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ServerError) -> some ApplicationProtocol {
        let router = try buildRouter(environment)
        let config = environment.configuration
        let idle = TimeAmount.milliseconds(Int64(max(config.requestTimeoutSeconds * 2, config.requestTimeoutSeconds + 60) * 1000))
        var server = HTTPServerBuilder.http1(configuration: .init(idleTimeout: idle))
        if let tls = config.tls { server = try tlsServer(server, tls) }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "clearance"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
            logger: environment.logger)
    }

    private static func tlsServer(_ base: HTTPServerBuilder, _ files: ServerConfiguration.TLSFiles) throws(ServerError) -> HTTPServerBuilder {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            if let ca = files.clientCAPath {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
                tls.certificateVerification = .optionalVerification
            }
            return try .tls(base, tlsConfiguration: tls)
        } catch {
            throw .configuration("TLS: \(error)")
        }
    }
}
