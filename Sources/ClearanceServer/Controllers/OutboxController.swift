import ClearanceStore
import Foundation
import Hummingbird

/// Ops only: `GET /v1/outbox?status=` lists deliveries (dead letters with `status=dead`),
/// `POST /v1/outbox/{id}/replay` puts a dead or delivered one back in the queue (409 for a row
/// still on its way), `GET /v1/audit` lists the audit log.
/// Other callers get 404.
struct OutboxController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.get("/v1/outbox") { request, context in
            try requireOps(context)
            let status: OutboxStatus?
            if let text = request.uri.queryParameters.get("status") {
                guard let parsed = OutboxStatus(rawValue: text) else {
                    throw HTTPError(.badRequest, message: "status must be pending, in-flight, delivered or dead")
                }
                status = parsed
            } else {
                status = nil
            }
            let limit = min(max(Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, 1), 1000)
            return try await environment.store.outboxEntries(status: status, limit: limit)
        }
        router.post("/v1/outbox/:id/replay") { _, context in
            let ops = try requireOps(context)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.badRequest, message: "bad outbox id") }
            do {
                let entry = try await environment.store.replayOutbox(id: id, now: Date())
                try await environment.store.appendAudit(AuditEntry(
                    actor: ops.code, action: "outbox.replay", target: String(id), detail: entry.destination))
                return entry
            } catch let error as StoreError {
                throw Self.replayRefusal(error, id: id)
            }
        }
        router.get("/v1/audit") { request, context in
            try requireOps(context)
            let limit = min(max(Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, 1), 1000)
            return try await environment.store.auditEntries(limit: limit).map(AuditDTO.init)
        }
    }

    /// What a refused replay answers: 404 for no such row, 409 for a row not dead or delivered
    /// (pending or in flight: it is still on its way), the store error otherwise.
    static func replayRefusal(_ error: StoreError, id: Int64) -> any Error {
        switch error {
        case .notFound: HTTPError(.notFound, message: "no outbox entry \(id)")
        case .invalidInput(let why): HTTPError(.conflict, message: why)
        default: error
        }
    }

    @discardableResult
    private func requireOps(_ context: EnterpriseContext) throws -> EnterpriseRecord {
        let enterprise = try context.requireEnterprise()
        guard enterprise.role == .ops else { throw HTTPError(.notFound, message: "not found") }
        return enterprise
    }
}

struct AuditDTO: ResponseEncodable {
    var id: Int64
    var at: Date
    var actor: String
    var action: String
    var target: String
    var detail: String?

    init(_ e: AuditEntry) {
        id = e.id
        at = e.at
        actor = e.actor
        action = e.action
        target = e.target
        detail = e.detail
    }
}
