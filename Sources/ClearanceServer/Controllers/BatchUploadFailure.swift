import ClearanceStore
import ClearanceIngest
import Hummingbird

/// Why a batch upload failed as a whole. The reason is stored on the batch (`failure`), so a
/// client that already has its early answer learns it from `GET /v1/batches/{id}`.
enum BatchUploadFailure: Error, Sendable, CustomStringConvertible {
    /// The decoded body crossed the enterprise's limit while streaming.
    case tooLarge(limit: Int64)
    /// The upload took longer than the service allows.
    case timedOut(seconds: Double)
    /// The connection ended before `Content-Length` bytes arrived (the client went away).
    case truncated(received: Int64, expected: Int64)
    /// The connection failed while the body was being read.
    case interrupted(received: Int64, reason: String)
    /// The gzip stream could not be decoded.
    case inflate(InflateError)
    /// The XML, the sender or the store refused the batch.
    case ingest(IngestError)

    var description: String {
        switch self {
        case .tooLarge(let limit):
            "the batch exceeds the limit of \(limit) bytes"
        case .timedOut(let seconds):
            "the upload took longer than \(seconds.formatted()) s (the body stopped or came too slowly); send it again"
        case .truncated(let received, let expected):
            "upload incomplete: the client disconnected after \(received) of \(expected) bytes; documents stored before that are kept"
        case .interrupted(let received, let reason):
            "upload interrupted after \(received) bytes (\(PersonalDataScrubber.scrub(reason))); documents stored before that are kept"
        case .inflate(let error):
            error.description
        case .ingest(let error):
            switch error {
            case .store: "store failure: \(error)"
            case .senderMismatch: "\(error)"
            default: "\(error.code) \(PersonalDataScrubber.scrub(error.description))"
            }
        }
    }

    /// The status answered when the failure is known before the answer is sent.
    var status: HTTPResponse.Status {
        switch self {
        case .tooLarge: .contentTooLarge
        case .timedOut: .requestTimeout
        case .truncated, .interrupted, .inflate: .badRequest
        case .ingest(let error):
            switch error {
            case .store: .internalServerError
            case .senderMismatch: .forbidden
            default: .unprocessableContent
            }
        }
    }
}
