import ClearanceStore
import Foundation
import Hummingbird
import Logging

/// Logs one line per request (method, path without query, status, caller, duration), scrubbed
/// of anything shaped like an ID or telephone number, and times requests for `/metrics`.
/// Bodies are never logged.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = EnterpriseContext
    let logger: Logger
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let path = PersonalDataScrubber.scrub(request.uri.path)
        do {
            let response = try await next(request, context)
            log(request, path: path, status: response.status.code, start: start)
            return response
        } catch let error as HTTPResponseError {
            log(request, path: path, status: error.status.code, start: start)
            throw error
        } catch {
            log(request, path: path, status: 500, start: start, error: error)
            throw error
        }
    }

    private func log(_ request: Request, path: String, status: Int, start: ContinuousClock.Instant, error: (any Error)? = nil) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.requestSeconds.record(seconds)
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(status)",
            "ms": "\(Int(seconds * 1000))",
        ]
        if let error { metadata["error"] = "\(PersonalDataScrubber.scrub(String(describing: error)))" }
        logger.info("request", metadata: metadata)
    }
}
