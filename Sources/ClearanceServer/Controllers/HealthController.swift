import Foundation
import Hummingbird

/// `GET /health` (readiness: the store answers), `/health/live` (the process answers),
/// `/health/ready` (same as `/health`), `GET /metrics` (Prometheus text format) and
/// `GET /openapi.yaml` (the API description).
struct HealthController {
    let environment: ServiceEnvironment
    let openAPI: String

    func register(on router: Router<EnterpriseContext>) {
        router.get("/health/live") { _, _ in
            HealthDTO(status: "ok", store: "not checked", engine: environment.store.engine.rawValue)
        }
        router.get("/health") { _, _ in try await ready() }
        router.get("/health/ready") { _, _ in try await ready() }
        router.get("/metrics") { _, _ in
            let store = environment.store
            let stats = try await store.stats()
            let pending = try await store.outboxEntries(status: .pending, limit: 1000)
            let inFlight = try await store.outboxEntries(status: .inFlight, limit: 1000)
            environment.metrics.refresh(stats: stats, oldestPending: (pending + inFlight).map(\.createdAt).min())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: environment.metrics.render())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
    }

    private func ready() async throws -> EditedResponse<HealthDTO> {
        do {
            _ = try await environment.store.stats()
            return EditedResponse(status: .ok, response: HealthDTO(status: "ok", store: "ok", engine: environment.store.engine.rawValue))
        } catch {
            return EditedResponse(status: .serviceUnavailable, response: HealthDTO(
                status: "unavailable", store: "failing", engine: environment.store.engine.rawValue, detail: "\(error)"))
        }
    }
}
