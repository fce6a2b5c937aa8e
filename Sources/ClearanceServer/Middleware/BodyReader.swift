import Hummingbird
import Synchronization

/// Reads request bodies with a size limit (413) and a deadline (408), so a slow or stalled
/// client cannot hold a handler: the connection's idle timeout closes silent sockets, and this
/// bounds the total time of a trickling one.
enum BodyReader {
    /// The whole body of a small request (a single message), at most `limit` bytes within `seconds`.
    ///
    /// The read and the deadline race in unstructured tasks: a body read blocked on a silent
    /// client does not always end when cancelled, and the 408 must not wait for it.
    static func collect(_ request: Request, limit: Int, seconds: Double) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw HTTPError(.contentTooLarge, message: "the body may be at most \(limit) bytes")
        }
        let outcome = Once<Result<ByteBuffer, any Error>>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.continuation = continuation
            let reader = Task {
                do {
                    outcome.resolve(.success(try await request.body.collect(upTo: limit)))
                } catch let error as HTTPError where error.status == .contentTooLarge {
                    outcome.resolve(.failure(HTTPError(.contentTooLarge, message: "the body may be at most \(limit) bytes")))
                } catch {
                    outcome.resolve(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0.001, seconds) * 1e9))
                if outcome.resolve(.failure(HTTPError(.requestTimeout, message: "the body did not arrive within \(Int(seconds)) s"))) {
                    reader.cancel()
                }
            }
        }.get()
    }
}

/// Resumes a continuation exactly once, with whichever result comes first.
private final class Once<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, any Error>?, done: Bool)>((nil, false))

    var continuation: CheckedContinuation<Value, any Error>? {
        get { state.withLock { $0.continuation } }
        set { state.withLock { $0.continuation = newValue } }
    }

    /// Delivers `value` if nothing was delivered yet; returns whether it was.
    @discardableResult
    func resolve(_ value: Value) -> Bool {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { s in
            guard !s.done else { return nil }
            s.done = true
            return s.continuation
        }
        continuation?.resume(returning: value)
        return continuation != nil
    }
}
