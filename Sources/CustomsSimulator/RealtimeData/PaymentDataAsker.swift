import ClearanceRouting
import Foundation
import Logging

/// The simulated customs asking a platform for an order's original payment data: a JSON post
/// `{"orderNo", "sessionID", "serviceTime"}` to the platform's endpoint, a few seconds after the order
/// arrived, retried (5 times, 200 ms apart) while the platform does not take it. The platform answers
/// later, by uploading `payExInfoStr` (``PaymentDataInspector``).
final class PaymentDataAsker: @unchecked Sendable {
    let inspector: PaymentDataInspector
    private let config: RealtimeDataConfig
    private let destination: HTTPDestination
    private let logger: Logger
    private let lock = NSLock()
    private var tasks: [Task<Void, Never>] = []
    private var answers: [String: String] = [:]

    init(config: RealtimeDataConfig, logger: Logger) throws(DeliveryError) {
        self.config = config
        self.logger = logger
        inspector = PaymentDataInspector(registeredCertificates: config.registeredCertificates)
        let http = DestinationConfig.HTTP(url: config.requestsURL, timeoutSeconds: 10, concurrency: 2)
        destination = try HTTPDestination(
            config: DestinationConfig(name: "platform-realtime-requests", transport: .http(http), envelope: .none), http: http)
    }

    /// The platform's acknowledgement of each request, by sessionID (its JSON body, or the last error).
    var acknowledgements: [String: String] { lock.withLock { answers } }

    /// Asks for `orderNo`'s payment data after the configured delay.
    func ask(orderNo: String) {
        let request = inspector.ask(orderNo: orderNo)
        let body = OrderedJSON.write(.object([
            ("orderNo", .string(request.orderNo)), ("sessionID", .string(request.sessionID)), ("serviceTime", .string(request.serviceTime)),
        ]))
        let delay = config.askDelaySeconds
        let headers = config.apiKey.map { ["Authorization": "Bearer \($0)"] } ?? [:]
        let task = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(delay, 0) * 1e9))
            guard let self else { return }
            var last = ""
            for attempt in 1...5 {
                if Task.isCancelled { return }
                do {
                    last = try await destination.post(body, contentType: "application/json", headers: headers)
                    break
                } catch {
                    last = "\(error)"
                    logger.warning("payment data request failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                    try? await Task.sleep(nanoseconds: 200_000_000)
                }
            }
            let answer = last
            lock.withLock { answers[request.sessionID] = answer }
        }
        lock.withLock { tasks.append(task) }
    }

    /// Waits (bounded) until every request made has been posted (or has given up).
    func waitUntilAsked(timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let done = lock.withLock { answers.count >= tasks.count }
            if done { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    /// Cancels pending requests and closes the connection pool.
    func shutdown() async {
        let pending = lock.withLock { let t = tasks; tasks = []; return t }
        for task in pending { task.cancel() }
        for task in pending { await task.value }
        await destination.shutdown()
    }
}
