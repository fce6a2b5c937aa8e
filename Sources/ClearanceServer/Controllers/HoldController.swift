import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation
import Hummingbird

/// Ops only: messages held for credit review and the decision on them.
/// `GET /v1/holds` lists them with their `CRD001` reasons; `POST /v1/holds/{guid}/release` routes
/// one as the flow would have; `POST /v1/holds/{guid}/refuse` refuses it (`CRD002`). Both are
/// audited (`hold.release`, `hold.refuse`) in the transaction that decides; a message not on hold
/// answers 409 (`CRD003`), an unknown one 404. `GET /v1/credit` shows the list in force and its
/// imports; `POST /v1/credit` replaces it with a CSV body, as `clearance credit import` does (422
/// with the first bad line's `CRD01x` code, nothing replaced). Other callers get 404.
struct HoldController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.get("/v1/holds") { request, context in
            try requireOps(context)
            let limit = min(max(Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, 1), 1000)
            return try await environment.store.heldMessages(limit: limit).map(HeldMessageDTO.init)
        }
        router.post("/v1/holds/:guid/release") { _, context in
            let ops = try requireOps(context)
            let guid = try context.parameters.require("guid")
            do {
                return HoldDecisionDTO(try await environment.holdReview.release(messageGuid: guid, by: ops.code))
            } catch let error as HoldReviewError {
                throw Self.refusal(error)
            }
        }
        router.post("/v1/holds/:guid/refuse") { _, context in
            let ops = try requireOps(context)
            let guid = try context.parameters.require("guid")
            do {
                return HoldDecisionDTO(try await environment.holdReview.refuse(messageGuid: guid, by: ops.code))
            } catch let error as HoldReviewError {
                throw Self.refusal(error)
            }
        }
        router.post("/v1/credit") { request, context in
            let ops = try requireOps(context)
            return try await importList(request, by: ops)
        }
        router.get("/v1/credit") { request, context in
            try requireOps(context)
            let limit = min(max(Int(request.uri.queryParameters.get("limit") ?? "") ?? 1000, 1), 100_000)
            let entries = try await environment.store.creditList(limit: limit)
            let imports = try await environment.store.creditImports(limit: 20)
            return CreditListDTO(entries: entries.map(CreditEntryDTO.init), imports: imports.map(CreditImportDTO.init))
        }
    }

    /// The largest list body taken (a national list of 100,000 enterprises is about 10 MB).
    static let maxListBytes = 64 << 20

    /// Parses and stores an uploaded list; the import is recorded and audited with the caller as actor.
    private func importList(_ request: Request, by ops: EnterpriseRecord) async throws -> CreditImportDTO {
        let buffer = try await BodyReader.collect(request, limit: Self.maxListBytes, seconds: environment.configuration.requestTimeoutSeconds)
        let bytes = Array(buffer.readableBytesView)
        let entries: [CreditEntry]
        do {
            entries = try CreditListParser.parse(bytes)
        } catch {
            throw HTTPError(.unprocessableContent, message: error.description + "; nothing imported")
        }
        var grades: [CreditGrade: Int] = [:]
        for entry in entries { grades[entry.grade, default: 0] += 1 }
        let name = request.uri.queryParameters.get("name").map { String($0.prefix(200)) } ?? "upload.csv"
        let saved = try await environment.store.replaceCreditList(entries, record: CreditImport(
            actor: ops.code, fileName: name, fileSHA256: SHA256Digest.hex(of: bytes), entries: entries.count, grades: grades))
        return CreditImportDTO(saved)
    }

    /// 404 for no such message, 409 (`CRD003`) for one not on hold, the error itself otherwise.
    static func refusal(_ error: HoldReviewError) -> any Error {
        switch error {
        case .noSuchMessage: HTTPError(.notFound, message: "not found")
        case .notHeld: HTTPError(.conflict, message: error.description)
        case .flow(let flow): flow
        }
    }

    @discardableResult
    private func requireOps(_ context: EnterpriseContext) throws -> EnterpriseRecord {
        let enterprise = try context.requireEnterprise()
        guard enterprise.role == .ops else { throw HTTPError(.notFound, message: "not found") }
        return enterprise
    }
}
