import HTTPTypes
import ClearanceIngest
import ClearanceRouting
import ClearanceRules
import ClearanceStore
import Foundation
import Hummingbird
import XMLStreaming

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
        let judged = try await judge(bytes, from: enterprise)
        return Self.json(judged.body, status: judged.status, duplicate: judged.duplicate)
    }

    /// A judged message: the stored (or first) JSON answer, its HTTP status, whether it repeats an earlier answer.
    struct Judged {
        var body: String
        var status: Int
        var duplicate: Bool
    }

    /// Judges one message as `POST /v1/messages` does — decode, the same guid's stored answer, the
    /// intake, the stored answer — for every face that hands Clearance a message (the JSON face too).
    func judge(_ bytes: [UInt8], from enterprise: EnterpriseRecord) async throws -> Judged {
        let decoded: DecodedMessage
        do {
            decoded = try environment.intake.decode(bytes, from: enterprise)
        } catch {
            environment.metrics.message(type: "unknown", verdict: "unreadable")
            throw HTTPError(.badRequest, message: "\(error)")
        }
        // Same guid again: the original answer, byte for byte, without judging it twice.
        if let previous = try await environment.store.answer(guid: decoded.guid) {
            guard previous.enterpriseCode == enterprise.code || enterprise.role == .ops else {
                if decoded.isReceipt, enterprise.role != .authority {
                    throw HTTPError(.forbidden, message: "receipts are accepted only from an authority's account")
                }
                throw HTTPError(.conflict, message: "message \(decoded.guid) was already submitted by another sender")
            }
            environment.metrics.message(type: decoded.messageType, verdict: "duplicate")
            return Judged(body: previous.body, status: previous.httpStatus, duplicate: true)
        }
        let result: IntakeResult
        do {
            result = try await environment.intake.accept(decoded, from: enterprise)
        } catch {
            environment.logger.error("intake failed", metadata: ["error": "\(error)"])
            throw HTTPError(.serviceUnavailable, message: "the message could not be stored; send it again")
        }
        let (verdict, status) = try await answer(result, decoded)
        environment.metrics.message(type: decoded.messageType, verdict: verdict.verdict)
        let body = String(decoding: try JSONEncoder().encode(verdict), as: UTF8.self)
        // Refusals that stored nothing (wrong sender, signature, a receipt's own faults) are not
        // recorded: the rightful sender, or the same one with a good signature, may still send it.
        switch result.verdict {
        case .forbidden, .refused: return Judged(body: body, status: status, duplicate: false)
        default: break
        }
        let stored = try await environment.store.storeAnswer(
            StoredAnswer(guid: decoded.guid, enterpriseCode: enterprise.code, httpStatus: status, body: body))
        return Judged(body: stored.body, status: stored.httpStatus, duplicate: stored.body != body)
    }

    /// The intake's verdict as HTTP: status code and JSON body.
    private func answer(_ result: IntakeResult, _ decoded: DecodedMessage) async throws -> (VerdictDTO, Int) {
        var verdict = VerdictDTO(
            guid: result.guid, messageType: result.messageType, verdict: "invalid", stored: false, signature: result.signature.rawValue,
            destinations: [], missing: [], issues: [], receipts: [])
        func issue(_ i: CrossMessageIssue) -> IssueDTO { IssueDTO(code: i.code, field: i.field.isEmpty ? nil : i.field, message: i.message) }
        switch result.verdict {
        case .unreadable(let why):
            throw HTTPError(.badRequest, message: why)
        case .forbidden(let refusal):
            verdict.verdict = "refused"
            verdict.issues = [issue(refusal)]
            return (verdict, 403)
        case .refused(let refusal):
            verdict.verdict = "refused"
            verdict.issues = [issue(refusal)]
            return (verdict, 422)
        case .receipt(let receipts):
            verdict.verdict = "receipt"
            verdict.stored = true
            verdict.receipts = receipts.receipts.map { "\($0.status)\($0.matched ? "" : " (unmatched)")" }
            await recordReceiptLag(decoded)
            verdict.destinations = try await Webhooks.notify(receipt: decoded, store: environment.store)
            return (verdict, 202)
        case .flow(let outcome):
            verdict.issues = outcome.issues.map(issue)
            // Customs requires a signature this message lacks: Clearance adds it before sending (say so).
            verdict.issues += decoded.issues.filter { $0.code == "SIG100" }.map {
                IssueDTO(code: $0.code, field: $0.field, message: $0.message)
            }
            verdict.verdict = outcome.status.name
            verdict.stored = outcome.status.stored
            switch outcome.status {
            case .routed(let destinations): verdict.destinations = destinations
            case .awaiting(let missing): verdict.missing = missing
            default: break
            }
            switch outcome.status {
            case .refused, .invalid: return (verdict, 422)
            case .duplicate: return (verdict, 200)
            default: return (verdict, 202)
            }
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

    /// Streams the JSON answer: the message's facts, then `xml` written piece by piece as the
    /// stored raw pieces are masked (and limited to the caller's documents), so a view of a
    /// message of hundreds of megabytes holds one piece and one document at a time.
    private func show(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
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
        let facts = MessageDTO(
            summary: MessageSummary(m),
            status: view.status, revealed: reveal)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var head = Array(try encoder.encode(facts))
        head.removeLast()  // the closing brace: `xml` follows
        head += Array(#","xml":""#.utf8)
        let store = environment.store
        let opening = head
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(bytes: opening))
            try await view.stream(from: store, reveal: reveal) { piece in
                try await writer.write(ByteBuffer(bytes: JSONString.escaped(piece)))
            }
            try await writer.write(ByteBuffer(string: "\"}"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: body)
    }
}

/// JSON string content, escaped byte-wise (UTF-8 passes through).
enum JSONString {
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 16)
        let hex = Array("0123456789abcdef".utf8)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        return out
    }
}

/// A stored message as a caller may see it.
struct MessageView {
    /// The message's facts (its raw bytes are read piece by piece, not held here).
    var record: MessageRecord
    /// How many stored pieces its raw bytes are kept in.
    var pieces: Int
    var status: String
    var timeline: ShipmentTimeline?
    /// Whose documents of the message are shown: nil for all (ops, or the enterprise that sent
    /// it), else the viewer's code: a party to one inventory of a large batch sees that one.
    var visibleTo: Set<String>?

    /// Hands the message to `write` piece by piece: as stored (`reveal`, ops only), or
    /// re-serialized from its parsed form with every ID and telephone number masked (CDATA,
    /// character references, comments and other encodings cannot hide one) and only the
    /// viewer's documents. A message that cannot be parsed is not shown masked at all.
    func stream(from store: any AccessStore, reveal: Bool, _ write: ([UInt8]) async throws -> Void) async throws {
        if reveal {
            do {
                for index in 0..<pieces { try await write(try await store.rawPiece(guid: record.guid, index: index)) }
            } catch StoreError.archived(let what) {
                try await write(Array("\n<!-- the rest of the stored message is archived: \(what) -->".utf8))
            }
            return
        }
        var output: [UInt8] = []
        let writer = MaskedXMLWriter(visibleTo: visibleTo) { output.append(contentsOf: $0) }
        do {
            for index in 0..<pieces {
                try writer.feed(try await store.rawPiece(guid: record.guid, index: index))
                if !output.isEmpty { try await write(output); output.removeAll(keepingCapacity: true) }
            }
            try writer.finish()
            if !output.isEmpty { try await write(output) }
        } catch let error as XMLStreamError {
            try await write(Array("\n<!-- the rest of the stored message cannot be read (\(error.reason)); ops may reveal it -->".utf8))
        } catch StoreError.archived(let what) {
            if !output.isEmpty { try await write(output) }
            try await write(Array("\n<!-- the rest of the stored message is archived: \(what) -->".utf8))
        }
    }

    /// The message if `enterprise` may see it: ops always; others when they sent it or when one of
    /// its declarations names them.
    static func load(guid: String, for enterprise: EnterpriseRecord, store: any AccessStore) async throws -> MessageView? {
        guard !guid.isEmpty, guid.count <= 64 else { return nil }
        let header: (record: MessageRecord, pieces: Int)?
        do {
            header = try await store.messageHeader(guid: guid)
        } catch {
            if case .notFound = error { return nil }
            // An archived head says no more whose it was: ops learn where it went, others that there is none.
            if case .archived(let what) = error {
                guard enterprise.role == .ops else { return nil }
                throw HTTPError(.notFound, message: what)
            }
            throw error
        }
        guard let (record, pieces) = header else { return nil }
        let timeline = try await store.trace(.guid(guid))
        let visible = timeline.flatMap { Visibility.filter($0, for: enterprise) }
        guard enterprise.role == .ops || record.senderCode == enterprise.code || visible != nil else { return nil }
        let own = (visible ?? timeline)?.declarations.filter { $0.messageGuid == guid } ?? []
        let status = own.last?.status ?? (record.signatureVerdict == "invalid" ? "refused" : "stored")
        let everything = enterprise.role == .ops || record.senderCode == enterprise.code
        return MessageView(
            record: record, pieces: pieces, status: status, timeline: visible ?? (enterprise.role == .ops ? timeline : nil),
            visibleTo: everything ? nil : [enterprise.code])
    }
}
