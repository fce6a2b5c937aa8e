import ClearanceStore
import Foundation
import Hummingbird

/// `GET /health` (readiness: the store answers), `/health/live` (the process answers),
/// `/health/ready` (same as `/health`), `GET /metrics` (Prometheus text format; a bearer token
/// when ``ServerConfiguration/metricsToken`` is set) and `GET /openapi.yaml` (the API description).
///
/// These routes are public and probed often: the store is asked through ``StoreFigures``, at most
/// once every few seconds whatever the request rate, and its errors are logged, never answered.
struct HealthController {
    let environment: ServiceEnvironment
    let openAPI: String
    let figures: StoreFigures

    init(environment: ServiceEnvironment, openAPI: String) {
        self.environment = environment
        self.openAPI = openAPI
        figures = StoreFigures(
            store: environment.store, metrics: environment.metrics, logger: environment.logger,
            maxAge: .milliseconds(Int64(environment.configuration.storeFiguresMaxAgeSeconds * 1000)))
    }

    func register(on router: Router<EnterpriseContext>) {
        router.get("/health/live") { _, _ in
            HealthDTO(status: "ok", store: "not checked", engine: environment.store.engine.rawValue)
        }
        router.get("/health") { _, _ in await ready() }
        router.get("/health/ready") { _, _ in await ready() }
        router.get("/metrics") { request, _ in
            try authorizeScrape(request)
            environment.metrics.refresh(await figures.current())
            environment.metrics.groupCommits(environment.store.groupCommitCounts)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: environment.metrics.render())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
    }

    /// With a metrics token configured, `/metrics` needs `Authorization: Bearer <token>` (compared
    /// in constant time); 401 otherwise.
    private func authorizeScrape(_ request: Request) throws {
        guard let token = environment.configuration.metricsToken else { return }
        let presented = request.headers[.authorization].flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        guard let presented, OpsSession.constantTimeEqual(presented, token) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "the metrics token is required")
        }
    }

    private func ready() async -> EditedResponse<HealthDTO> {
        let engine = environment.store.engine.rawValue
        guard await figures.current() != nil else {
            return EditedResponse(status: .serviceUnavailable, response: HealthDTO(status: "unavailable", store: "failing", engine: engine))
        }
        return EditedResponse(status: .ok, response: HealthDTO(status: "ok", store: "ok", engine: engine))
    }
}
