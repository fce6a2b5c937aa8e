import ClearanceIngest
import ClearanceStore
import Foundation
import Hummingbird

/// Merchant batch uploads.
///
/// `POST /v1/batches` streams the body (XML, or gzip with `Content-Encoding: gzip`) chunk by chunk
/// through the SAX core, validation and chunked store transactions: the body is never held whole.
/// The batch id is allocated before the first byte is read (a client may choose it with
/// `X-Batch-Id` to poll progress while uploading) and the answer (202) carries it with the counts.
/// Over the enterprise's limit: 413 (at once when `Content-Length` says so).
///
/// `GET /v1/batches/{id}` shows progress and counts; `GET /v1/batches/{id}/errors` the
/// per-document problems as JSON, or CSV with `?format=csv` / `Accept: text/csv`.
struct BatchController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.post("/v1/batches") { request, context in try await upload(request, context) }
        router.get("/v1/batches/:id") { _, context in BatchDTO(try await visibleBatch(context)) }
        router.get("/v1/batches/:id/errors") { request, context in try await errors(request, context) }
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

    private struct TooLarge: Error {}
    private struct TimedOut: Error {}

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
        let id = try await allocateId(request)
        var batch = BatchRecord(id: id, enterpriseCode: enterprise.code)
        try await environment.store.saveBatch(batch)
        let started = ContinuousClock.now
        let deadline = Duration.milliseconds(Int64(environment.configuration.batchTimeoutSeconds * 1000))
        let collector = BatchErrorCollector(batchId: id)
        let ingestor = BatchIngestor(store: environment.store, options: IngestOptions(
            senderCode: enterprise.role == .ops ? nil : enterprise.code, signatureVerdict: "unsigned", receivedAt: Date()),
            observer: collector)
        var decoded: Int64 = 0
        var nextSave: Int64 = 8 << 20
        var status = HTTPResponse.Status.accepted
        do {
            let inflater = encoding == "gzip" ? try GzipInflater() : nil
            for try await chunk in request.body {
                let feed: ([UInt8]) async throws -> Void = { piece in
                    decoded += Int64(piece.count)
                    if decoded > limit { throw TooLarge() }
                    try await ingestor.feed(piece)
                }
                if let inflater {
                    try await inflater.inflate(Array(chunk.readableBytesView), feed)
                } else {
                    try await feed(Array(chunk.readableBytesView))
                }
                if ContinuousClock.now - started > deadline { throw TimedOut() }
                if decoded >= nextSave {
                    nextSave = decoded + (8 << 20)
                    try await saveProgress(&batch, ingestor.summary, collector, bytes: decoded)
                }
            }
            if let inflater, !inflater.isFinished { throw InflateError(description: "the gzip stream ends early") }
            let summary = try await ingestor.finish()
            batch.status = .completed
            try await saveProgress(&batch, summary, collector, bytes: decoded)
        } catch {
            let (code, reason) = Self.failure(error, limit: limit)
            status = code
            batch.status = .failed
            batch.failure = reason
            try await saveProgress(&batch, ingestor.summary, collector, bytes: decoded)
            if code == .contentTooLarge {
                throw HTTPError(.contentTooLarge, message: reason)
            }
        }
        let elapsed = ContinuousClock.now - started
        environment.metrics.batch(
            status: batch.status.rawValue, bytes: decoded, documents: batch.documents,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        var response = try EditedResponse(status: status, headers: [.location: "/v1/batches/\(id)"], response: BatchDTO(batch))
            .response(from: request, context: context)
        response.headers[.xBatchId] = id
        return response
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

    private func saveProgress(_ batch: inout BatchRecord, _ s: IngestSummary, _ c: BatchErrorCollector, bytes: Int64) async throws {
        batch.bytes = bytes
        batch.documents = s.documents
        batch.invalidDocuments = s.invalidDocuments
        batch.declarationsInserted = s.declarationsInserted
        batch.declarationsSkipped = s.declarationsSkipped
        batch.receiptsInserted = s.receiptsInserted
        batch.errorCount = c.errors
        batch.warningCount = c.warnings
        batch.messageGuid = s.messageGuid ?? batch.messageGuid
        batch.messageType = s.messageType ?? batch.messageType
        batch.updatedAt = Date()
        try await environment.store.addBatchErrors(c.drain())
        try await environment.store.saveBatch(batch)
    }

    private static func failure(_ error: any Error, limit: Int64) -> (HTTPResponse.Status, String) {
        switch error {
        case is TooLarge: return (.contentTooLarge, "the batch exceeds the limit of \(limit) bytes")
        case is TimedOut: return (.requestTimeout, "the upload took longer than allowed; send it again")
        case let e as InflateError: return (.badRequest, e.description)
        case let e as IngestError:
            switch e {
            case .store: return (.internalServerError, "store failure: \(e)")
            case .senderMismatch: return (.forbidden, e.description)
            default: return (.unprocessableContent, "\(e.code) \(PersonalDataMasker.scrub(e.description))")
            }
        default: return (.badRequest, "upload interrupted: \(PersonalDataMasker.scrub(String(describing: error)))")
        }
    }

    // MARK: Errors

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
                csv += [String(e.documentIndex), e.recordKey ?? "", String(e.line), String(e.column), e.severity, e.code,
                        e.field ?? "", e.message].map(Self.csvField).joined(separator: ",") + "\r\n"
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8",
                          .contentDisposition: "attachment; filename=\"batch-\(batch.id)-errors.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        let dto = BatchErrorsDTO(batchId: batch.id, errors: rows.map(BatchErrorDTO.init),
                                 nextOffset: rows.count == limit ? offset + limit : nil)
        return try dto.response(from: request, context: context)
    }

    /// RFC 4180 field; a leading `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets never run it.
    static func csvField(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
