import ClearanceIngest
import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// Merchant batch uploads.
///
/// `POST /v1/batches` streams the body (XML, or gzip with `Content-Encoding: gzip`) chunk by chunk
/// through the SAX core, validation and chunked store transactions: the body is never held whole.
/// The batch id is allocated before the first byte is read (a client may choose it with
/// `X-Batch-Id`). The answer (202 with the batch id) comes at once: after the first MiB or quarter
/// second of body (``ServerConfiguration/batchEarlyAnswerBytes``), with status `receiving`, while
/// the rest is read (the response stays open, its content already sent, until the body ends); a
/// body that ends sooner gets its final counts, or its 4xx. Over the enterprise's limit: 413 at once
/// when `Content-Length` says so; a body that crosses it later fails the batch ("exceeds the limit").
/// A failure after the answer is recorded on the batch and the connection is closed.
///
/// Uploads in progress are bounded per key and overall (``UploadSlots``): one more gets 429 (its
/// key) or 503 (the service) with `Retry-After`, before any body is read.
///
/// `GET /v1/batches/{id}` shows progress and counts; `GET /v1/batches/{id}/errors` the
/// per-document problems as JSON, or CSV with `?format=csv` / `Accept: text/csv`.
struct BatchController {
    let environment: ServiceEnvironment
    let slots: UploadSlots

    init(environment: ServiceEnvironment) {
        self.environment = environment
        slots = UploadSlots(perKey: environment.configuration.maxUploadsPerKey, total: environment.configuration.maxUploads)
    }

    /// Seconds a refused upload is asked to wait.
    static let retryAfterSeconds = 5

    func register(on router: Router<EnterpriseContext>) {
        router.post("/v1/batches") { request, context in try await upload(request, context) }
        router.get("/v1/batches/:id") { _, context in try await batchWithVerdicts(context) }
        router.get("/v1/batches/:id/errors") { request, context in try await errors(request, context) }
        router.get("/v1/batches/:id/documents") { request, context in try await documents(request, context) }
    }

    private func visibleBatch(_ context: EnterpriseContext) async throws -> BatchRecord {
        let enterprise = try context.requireEnterprise()
        let id = try context.parameters.require("id")
        guard let batch = try await environment.store.batch(id: id),
              enterprise.role == .ops || batch.enterpriseCode == enterprise.code else {
            throw HTTPError(.notFound, message: "no batch \(id)")
        }
        return batch
    }

    // MARK: Upload

    private func upload(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let enterprise = try context.requireEnterprise()
        guard enterprise.role != .system else { throw HTTPError(.forbidden, message: "batches are uploaded by merchant accounts") }
        let limit = enterprise.maxBatchBytes ?? environment.configuration.defaultMaxBatchBytes
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limit {
            throw HTTPError(.contentTooLarge, message: "batch of \(length) bytes exceeds the limit of \(limit) bytes for \(enterprise.code)")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased()
        guard encoding == nil || encoding == "identity" || encoding == "gzip" else {
            throw HTTPError(.unsupportedMediaType, message: "Content-Encoding must be gzip or identity")
        }
        let lease: UploadSlots.Lease
        do {
            lease = try slots.acquire(context.keyPrefix ?? enterprise.code)
        } catch {
            let retry: HTTPFields = [.retryAfter: String(Self.retryAfterSeconds)]
            switch error {
            case .key: throw HTTPError(.tooManyRequests, headers: retry, message: "\(slots.perKey) uploads of this key are in progress; retry later")
            case .service: throw HTTPError(.serviceUnavailable, headers: retry, message: "the service has \(slots.total) uploads in progress; retry later")
            }
        }
        // Given back when the upload ends: here, or by the response body writer it is handed to below.
        var handedOver = false
        defer { if !handedOver { lease.release() } }
        let id = try await allocateId(request)
        let configuration = environment.configuration
        let upload = try await BatchUpload.start(
            id: id, enterprise: enterprise, request: request, limit: limit, timeoutSeconds: configuration.batchTimeoutSeconds,
            store: environment.store, forwarder: environment.batchForwarder,
            gate: InboundSignatureGate(requireWhenRegistered: configuration.requireSignatureWhenRegistered), connection: context.channel)
        if request.headers[.expect]?.lowercased() == "100-continue" {
            // The checks above passed: ask the client for the body now rather than after its own timeout.
            try await ContinueResponder.send(on: context.channel)
        }
        let early = BatchUpload.EarlyAnswer(bytes: configuration.batchEarlyAnswerBytes, seconds: configuration.batchEarlyAnswerSeconds)
        let progress: BatchUpload.Progress
        do {
            progress = try await upload.receive(answerEarly: early)
        } catch {
            record(upload)
            if error.status == .contentTooLarge { throw HTTPError(.contentTooLarge, message: error.description) }
            return try answer(upload.batch, status: error.status, request, context)
        }
        guard progress == .receiving else {
            record(upload)
            return try answer(upload.batch, status: .accepted, request, context)
        }
        // Answer now; the rest of the body is read while the response is open. The answer is
        // complete on the wire (Content-Length); the response ends when the body has been read.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let content = ByteBuffer(bytes: try encoder.encode(BatchDTO(upload.batch)))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .location: "/v1/batches/\(id)"]
        headers[.xBatchId] = id
        handedOver = true
        return Response(status: .accepted, headers: headers, body: ResponseBody(contentLength: content.readableBytes) { writer in
            defer { lease.release() }
            try await writer.write(content)
            do {
                _ = try await upload.receive(answerEarly: nil)
            } catch {
                // The batch is saved as failed with the reason; the rest of the body is not wanted:
                // throwing here closes the connection instead of reading on.
                record(upload)
                environment.logger.notice("batch failed after the answer; closing the connection", metadata: [
                    "batch": "\(id)", "enterprise": "\(enterprise.code)", "reason": "\(error)"])
                throw error
            }
            record(upload)
            try await writer.finish(nil)
        })
    }

    private func answer(_ batch: BatchRecord, status: HTTPResponse.Status, _ request: Request, _ context: EnterpriseContext) throws -> Response {
        var response = try EditedResponse(status: status, headers: [.location: "/v1/batches/\(batch.id)"], response: BatchDTO(batch))
            .response(from: request, context: context)
        response.headers[.xBatchId] = batch.id
        return response
    }

    private func record(_ upload: BatchUpload) {
        let batch = upload.batch
        guard batch.status != .receiving else { return }
        environment.metrics.batch(
            status: batch.status.rawValue, bytes: upload.decodedBytes, documents: batch.documents, seconds: upload.elapsedSeconds)
    }

    private func allocateId(_ request: Request) async throws -> String {
        guard let proposed = request.headers[.xBatchId] else { return UUID().uuidString.lowercased() }
        let allowed = proposed.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
        guard allowed, (8...64).contains(proposed.count) else {
            throw HTTPError(.badRequest, message: "X-Batch-Id must be 8-64 letters, digits, '-' or '_'")
        }
        guard try await environment.store.batch(id: proposed) == nil else {
            throw HTTPError(.conflict, message: "batch \(proposed) already exists")
        }
        return proposed
    }

    // MARK: Errors

    /// The batch with its declarations counted by status as they stand now.
    private func batchWithVerdicts(_ context: EnterpriseContext) async throws -> BatchDTO {
        let batch = try await visibleBatch(context)
        var dto = BatchDTO(batch)
        if let guid = batch.messageGuid {
            let counts = try await environment.store.declarationCounts(messageGuid: guid)
            dto.declarations = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
        }
        return dto
    }

    /// The batch's stored declarations, a page at a time, optionally of one status (`awaiting documents`…).
    private func documents(_ request: Request, _ context: EnterpriseContext) async throws -> BatchDocumentsDTO {
        let batch = try await visibleBatch(context)
        let query = request.uri.queryParameters
        let offset = max(Int(query.get("offset") ?? "") ?? 0, 0)
        let limit = min(max(Int(query.get("limit") ?? "") ?? 100, 1), 1000)
        let status = query.get("status").flatMap { $0.isEmpty ? nil : DeclarationStatus($0) }
        guard let guid = batch.messageGuid else {
            return BatchDocumentsDTO(batchId: batch.id, status: status?.rawValue, documents: [], nextOffset: nil)
        }
        let rows = try await environment.store.declarations(messageGuid: guid, status: status, offset: offset, limit: limit)
        return BatchDocumentsDTO(batchId: batch.id, status: status?.rawValue, documents: rows.map(DeclarationDTO.init),
                                 nextOffset: rows.count == limit ? offset + limit : nil)
    }

    private func errors(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let batch = try await visibleBatch(context)
        let query = request.uri.queryParameters
        let offset = max(Int(query.get("offset") ?? "") ?? 0, 0)
        let limit = min(max(Int(query.get("limit") ?? "") ?? 1000, 1), BatchErrorCollector.maxStored)
        let rows = try await environment.store.batchErrors(batchId: batch.id, offset: offset, limit: limit)
        let wantsCSV = query.get("format") == "csv" || (request.headers[.accept]?.contains("text/csv") ?? false)
        if wantsCSV {
            var csv = "document,key,line,column,severity,code,field,message\r\n"
            for e in rows {
                csv += CSVText.row([String(e.documentIndex), e.recordKey ?? "", String(e.line), String(e.column), e.severity, e.code,
                                    e.field ?? "", e.message])
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8",
                          .contentDisposition: "attachment; filename=\"batch-\(batch.id)-errors.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        let dto = BatchErrorsDTO(batchId: batch.id, errors: rows,
                                 nextOffset: rows.count == limit ? offset + limit : nil)
        return try dto.response(from: request, context: context)
    }

}
