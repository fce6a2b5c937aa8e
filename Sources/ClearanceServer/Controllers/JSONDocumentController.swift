import CEBModel
import ClearanceStore
import Foundation
import Hummingbird

/// The JSON face for merchants whose systems speak JSON: `POST /v1/orders`, `/v1/payments`,
/// `/v1/waybills`, `/v1/inventories` (and cancels, refunds, the export documents, or any declaration
/// by number at `/v1/documents/{messageType}`) take JSON documents with the standard's field names
/// — one object, an array or JSON Lines. Each is written as standard CEB XML (``CEBJSONRenderer``)
/// and then judged exactly as an XML message to `POST /v1/messages` is; the answer gives, per
/// document, the verdict, the faults by JSON path and a link to the stored XML.
struct JSONDocumentController {
    let environment: ServiceEnvironment
    let messages: MessageController

    /// Friendly paths and the message each takes.
    static let routes: [(path: String, messageType: String)] = [
        ("orders", "CEB311"), ("payments", "CEB411"), ("waybills", "CEB511"), ("inventories", "CEB621"),
        ("inventory-cancels", "CEB623"), ("inventory-refunds", "CEB625"),
        ("export-orders", "CEB303"), ("payment-receipts", "CEB403"), ("export-waybills", "CEB505"), ("export-inventories", "CEB603"),
    ]

    func register(on router: Router<EnterpriseContext>) {
        for route in Self.routes {
            router.post("/v1/\(route.path)") { request, context in try await submit(request, context, messageType: route.messageType) }
        }
        router.post("/v1/documents/:messageType") { request, context in
            try await submit(request, context, messageType: try context.parameters.require("messageType"))
        }
    }

    private func submit(_ request: Request, _ context: EnterpriseContext, messageType: String) async throws -> Response {
        let enterprise = try context.requireEnterprise()
        guard let spec = MessageCatalog.spec(number: messageType), spec.role == .declaration else {
            throw HTTPError(.notFound, message: "\(messageType) is not a declaration the JSON face takes")
        }
        let buffer = try await BodyReader.collect(
            request, limit: environment.configuration.maxMessageBytes, seconds: environment.configuration.requestTimeoutSeconds)
        let entries = JSONDocuments.split(Array(buffer.readableBytesView))
        guard !entries.isEmpty, !buffer.readableBytesView.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw HTTPError(.badRequest, message: "empty body: send a JSON document, an array of them or JSON Lines")
        }
        var results: [JSONDocumentResultDTO] = []
        for entry in entries {
            results.append(try await judge(entry, spec: spec, enterprise: enterprise))
        }
        let stored = results.filter(\.stored).count
        let status = stored == results.count ? 202 : stored == 0 ? 422 : 200
        let body = String(decoding: try JSONEncoder().encode(JSONDocumentsAnswerDTO(documents: results)), as: UTF8.self)
        return MessageController.json(body, status: status, duplicate: false)
    }

    private func judge(_ entry: JSONDocuments.Entry, spec: MessageSpec, enterprise: EnterpriseRecord) async throws -> JSONDocumentResultDTO {
        var result = JSONDocumentResultDTO(position: entry.position, messageType: spec.number)
        let xml: [UInt8]
        do {
            xml = try CEBJSONRenderer.render(try entry.value.get(), spec: spec)
        } catch let error as JSONParseError {
            result.issues = [IssueDTO(code: error.code, path: "$", message: "byte \(error.offset): \(error.message)")]
            return result
        } catch let failure as JSONRenderFailure {
            result.issues = failure.issues.map { IssueDTO(code: $0.code, path: $0.path, message: $0.message) }
            return result
        }
        let judged: MessageController.Judged
        do {
            judged = try await messages.judge(xml, from: enterprise)
        } catch let error as HTTPError where error.status.code < 500 {
            result.verdict = "refused"
            result.issues = [IssueDTO(code: "HTTP\(error.status.code)", path: "$", message: error.body ?? "\(error.status)")]
            return result
        }
        let verdict = try JSONDecoder().decode(VerdictDTO.self, from: Data(judged.body.utf8))
        result.guid = verdict.guid
        result.verdict = verdict.verdict
        result.stored = verdict.stored
        result.duplicate = judged.duplicate ? true : nil
        result.signature = verdict.signature
        result.destinations = verdict.destinations
        result.missing = verdict.missing
        result.issues = verdict.issues.map { issue in
            var issue = issue
            issue.path = CEBJSONRenderer.jsonPath(ofField: issue.field, spec: spec)
            return issue
        }
        if verdict.stored { result.message = "/v1/messages/\(verdict.guid)" }
        return result
    }
}
