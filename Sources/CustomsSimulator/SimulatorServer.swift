import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The simulator's HTTP face: `POST /ceb` (customs), `/inspection` (the inspection authority) or
/// `/payments` (the payment/FX regulator) with a CEB message or `dxp:DxpMsg` → 202 Accepted (also for a duplicate guid, with `X-Duplicate: true`), 400 for unreadable input,
/// 503 while ``setAvailable(_:)`` is false (outage simulation). `POST /ceb2grab/grab/realTimeDataUpload`
/// (customs' real-time data upload, form field `payExInfoStr`) → 200 with customs' JSON code
/// (``RealtimeUpload``). `GET /health` → 200.
public final class SimulatorServer: @unchecked Sendable {
    /// The simulator behind the endpoint.
    public let simulator: CustomsSimulator
    private let lock = NSLock()
    private var task: Task<Void, any Error>?
    private var available = true
    private var responseDelay: Double = 0
    private var boundPort: Int?

    /// Creates a server (not started).
    public init(simulator: CustomsSimulator) {
        self.simulator = simulator
    }

    /// The port it listens on, once started.
    public var port: Int? { lock.withLock { boundPort } }

    /// Answer 503 to submissions while false.
    public func setAvailable(_ value: Bool) { lock.withLock { available = value } }

    /// Wait this long before answering each submission (a slow receiver).
    public func setResponseDelay(_ seconds: Double) { lock.withLock { responseDelay = seconds } }

    /// Starts listening on `host:port` (port 0 picks a free one) and returns the bound port. When it
    /// is not listening within `timeout` seconds (a busy machine can take long) it throws, and shuts
    /// the simulator down first, so no HTTP client of its outlives it unclosed.
    public func start(host: String = "127.0.0.1", port: Int = 0, timeout: TimeInterval = 120) async throws -> Int {
        let router = Router()
        router.get("/health") { _, _ in Response(status: .ok) }
        let handler: @Sendable (Counterpart) -> @Sendable (Request, BasicRequestContext) async throws -> Response = { counterpart in { [self] request, _ in
            guard self.lock.withLock({ self.available }) else { return Response(status: .serviceUnavailable) }
            let delay = self.lock.withLock { self.responseDelay }
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
            let buffer = try await request.body.collect(upTo: 32 << 20)
            let bytes = Array(buffer.readableBytesView)
            switch self.simulator.submit(bytes, to: counterpart) {
            case .accepted:
                return Response(status: .accepted)
            case .duplicate:
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Duplicate")!] = "true"
                return Response(status: .accepted, headers: headers)
            case .malformed(let why):
                return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: why)))
            }
        } }
        router.post("/ceb", use: handler(.customs))
        router.post("/payments", use: handler(.payment))
        router.post("/inspection", use: handler(.inspection))
        router.post(RouterPath(RealtimeUpload.path)) { [self] request, _ in
            guard self.lock.withLock({ self.available }) else { return Response(status: .serviceUnavailable) }
            let buffer = try await request.body.collect(upTo: 8 << 20)
            return RealtimeUpload.answer(String(buffer: buffer), inspector: self.simulator.paymentData)
        }
        let ready = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "clearance.simulator.http")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                ready.continuation.yield(channel.localAddress?.port ?? 0)
                ready.continuation.finish()
            },
            logger: logger)
        let running = Task { try await app.run() }
        lock.withLock { task = running }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
            ready.continuation.finish()
        }
        defer { timer.cancel() }
        for await bound in ready.stream {
            lock.withLock { boundPort = bound }
            return bound
        }
        running.cancel()
        await simulator.shutdown()
        throw SimulatorError("the simulator did not start listening on \(host):\(port) within \(timeout) s")
    }

    /// Stops listening (pending receipts continue until ``CustomsSimulator/shutdown()``).
    public func stop() async {
        let running = lock.withLock { let t = task; task = nil; return t }
        running?.cancel()
        _ = try? await running?.value
    }
}

/// A simulator failure.
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
