import HTTPTypes
import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// `POST /v1/messages`: one CEB message (bare or in a `dxp:DxpMsg` transport envelope) from a
/// system. Answers with the verdict and the stored guid; a message already answered (same guid)
/// gets the original answer again, byte for byte, with `X-Clearance-Duplicate: true`.
///
/// `GET /v1/messages/{guid}`: the stored message with its status and raw XML, personal data
/// masked; ops may add `?reveal=true` to see it unmasked (written to the audit log).
struct MessageController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.post("/v1/messages") { request, context in try await submit(request, context) }
        router.get("/v1/messages/:guid") { request, context in try await show(request, context) }
    }

    // MARK: Submit

    private func submit(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let enterprise = try context.requireEnterprise()
        let limit = environment.configuration.maxMessageBytes
        let buffer = try await BodyReader.collect(request, limit: limit, seconds: environment.configuration.requestTimeoutSeconds)
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw HTTPError(.badRequest, message: "empty body: send one CEB message") }
        let decoded: DecodedMessage
        do {
            decoded = try DecodedMessage.decode(bytes)
        } catch {
            environment.metrics.message(type: "unknown", verdict: "unreadable")
            throw HTTPError(.badRequest, message: "\(error)")
        }
        let isReceipt = decoded.documents.contains { DeclarationMapper.receipt($0, messageGuid: decoded.guid) != nil }
        if isReceipt, enterprise.role == .merchant {
            throw HTTPError(.forbidden, message: "receipts are accepted from customs systems only")
        }
        if let previous = try await environment.store.answer(guid: decoded.guid) {
            guard previous.enterpriseCode == enterprise.code || enterprise.role == .ops else {
                throw HTTPError(.conflict, message: "message \(decoded.guid) was already submitted by another sender")
            }
            environment.metrics.message(type: decoded.messageType, verdict: "duplicate")
            return Self.json(previous.body, status: previous.httpStatus, duplicate: true)
        }
        let claimed = decoded.senderCode ?? ""
        let (verdict, status) = try await judge(decoded, bytes: bytes, isReceipt: isReceipt, claimed: claimed, enterprise: enterprise)
        environment.metrics.message(type: decoded.messageType, verdict: verdict.verdict)
        let body = String(decoding: try JSONEncoder().encode(verdict), as: UTF8.self)
        // Refusals that are about the caller (wrong sender) are not recorded: the rightful sender may still send it.
        if status == 403 { return Self.json(body, status: status, duplicate: false) }
        let stored = try await environment.store.storeAnswer(
            StoredAnswer(guid: decoded.guid, enterpriseCode: enterprise.code, httpStatus: status, body: body))
        return Self.json(stored.body, status: stored.httpStatus, duplicate: stored.body != body)
    }

    private func judge(
        _ decoded: DecodedMessage, bytes: [UInt8], isReceipt: Bool, claimed: String, enterprise: EnterpriseRecord
    ) async throws -> (VerdictDTO, Int) {
        var verdict = VerdictDTO(
            guid: decoded.guid, messageType: decoded.messageType, verdict: "invalid", stored: false, signature: "unchecked",
            destinations: [], missing: [], issues: [], receipts: [])
        let gate = InboundSignatureGate(requireWhenRegistered: environment.configuration.requireSignatureWhenRegistered)
        let decision: InboundSignatureGate.Decision
        if isReceipt {
            decision = gate.check(bytes: decoded.bytes, hasSignature: decoded.hasSignature, signer: enterprise, claimedCode: enterprise.code)
        } else {
            guard enterprise.role == .ops || claimed == enterprise.code else {
                verdict.verdict = "refused"
                verdict.issues = [IssueDTO(
                    code: "AUTH001", field: "BaseTransfer/copCode",
                    message: "copCode \(claimed.isEmpty ? "(none)" : claimed) is not the authenticated enterprise \(enterprise.code)")]
                return (verdict, 403)
            }
            // The authenticated sender's record is at hand; only ops sending for others needs a look-up.
            let signer = claimed.isEmpty ? nil
                : claimed == enterprise.code ? enterprise : try await environment.store.enterprise(code: claimed)
            decision = gate.check(bytes: decoded.bytes, hasSignature: decoded.hasSignature, signer: signer, claimedCode: claimed)
        }
        verdict.signature = decision.verdict
        if let refusal = decision.refusal {
            verdict.verdict = "refused"
            verdict.issues = [IssueDTO(code: refusal.code, field: refusal.field, message: refusal.message)]
            return (verdict, 422)
        }
        if isReceipt {
            do {
                let result = try await environment.receipts.process(bytes)
                verdict.verdict = "receipt"
                verdict.stored = true
                verdict.receipts = result.receipts.map { "\($0.status)\($0.matched ? "" : " (unmatched)")" }
                await recordReceiptLag(decoded)
                verdict.destinations = try await Webhooks.notify(receipt: decoded, store: environment.store)
                return (verdict, 202)
            } catch {
                verdict.issues = [IssueDTO(code: "RCP001", field: nil, message: "\(error)")]
                return (verdict, 422)
            }
        }
        let outcome = try await environment.flow.accept(decoded, signatureVerdict: decision.verdict)
        verdict.issues = outcome.issues.map { IssueDTO(code: $0.code, field: $0.field.isEmpty ? nil : $0.field, message: $0.message) }
        switch outcome.status {
        case .routed(let destinations):
            verdict.verdict = "routed"
            verdict.stored = true
            verdict.destinations = destinations
            return (verdict, 202)
        case .awaiting(let missing):
            verdict.verdict = "awaiting"
            verdict.stored = true
            verdict.missing = missing
            return (verdict, 202)
        case .unrouted:
            verdict.verdict = "unrouted"
            verdict.stored = true
            return (verdict, 202)
        case .refused:
            verdict.verdict = "refused"
            verdict.stored = true
            return (verdict, 422)
        case .invalid:
            verdict.verdict = "invalid"
            return (verdict, 422)
        case .duplicate:
            verdict.verdict = "duplicate"
            verdict.stored = true
            return (verdict, 200)
        }
    }

    /// Receipt lag: from receiving the declaration a receipt answers to receiving the receipt.
    private func recordReceiptLag(_ decoded: DecodedMessage) async {
        let now = Date()
        for document in decoded.documents {
            guard let receipt = DeclarationMapper.receipt(document, messageGuid: decoded.guid),
                  let timeline = try? await environment.store.trace(.guid(receipt.referenceGuid)),
                  let declaration = timeline.declarations.first(where: { $0.declarationGuid == receipt.referenceGuid }),
                  let message = timeline.messages.first(where: { $0.guid == declaration.messageGuid }) else { continue }
            environment.metrics.receiptLag.record(max(0, now.timeIntervalSince(message.receivedAt)))
        }
    }

    static func json(_ body: String, status: Int, duplicate: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if duplicate { headers[.xClearanceDuplicate] = "true" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: Show

    private func show(_ request: Request, _ context: EnterpriseContext) async throws -> MessageDTO {
        let enterprise = try context.requireEnterprise()
        let guid = try context.parameters.require("guid")
        let reveal = request.uri.queryParameters.get("reveal") == "true"
        guard let view = try await MessageView.load(guid: guid, for: enterprise, store: environment.store) else {
            throw HTTPError(.notFound, message: "no message \(guid)")
        }
        if reveal {
            guard enterprise.role == .ops else { throw HTTPError(.notFound, message: "no message \(guid)") }
            try await environment.store.appendAudit(AuditEntry(
                actor: enterprise.code, action: "reveal", target: guid, detail: "GET /v1/messages/\(guid)?reveal=true"))
        }
        let m = view.record
        return MessageDTO(
            guid: m.guid, messageType: m.messageType, senderCode: m.senderCode, direction: m.direction.rawValue,
            receivedAt: m.receivedAt, sha256: m.sha256, signatureVerdict: m.signatureVerdict, status: view.status,
            xml: reveal ? view.rawText : PersonalDataMasker.maskXML(view.rawText), revealed: reveal)
    }
}

/// A stored message as a caller may see it.
struct MessageView {
    var record: MessageRecord
    var status: String
    var timeline: ShipmentTimeline?

    var rawText: String { String(decoding: record.rawBytes, as: UTF8.self) }

    /// The message if `enterprise` may see it: ops always; others when they sent it or when one of
    /// its declarations names them.
    static func load(guid: String, for enterprise: EnterpriseRecord, store: any AccessStore) async throws -> MessageView? {
        guard !guid.isEmpty, guid.count <= 64 else { return nil }
        let record: MessageRecord?
        do {
            record = try await store.message(guid: guid)
        } catch {
            if case .notFound = error { return nil }
            throw error
        }
        guard let record else { return nil }
        let timeline = try await store.trace(.guid(guid))
        let visible = timeline.flatMap { Visibility.filter($0, for: enterprise) }
        guard enterprise.role == .ops || record.senderCode == enterprise.code || visible != nil else { return nil }
        let own = (visible ?? timeline)?.declarations.filter { $0.messageGuid == guid } ?? []
        let status = own.last?.status ?? (record.signatureVerdict == "invalid" ? "refused" : "stored")
        return MessageView(record: record, status: status, timeline: visible ?? (enterprise.role == .ops ? timeline : nil))
    }
}
