import Foundation
import Hummingbird
import ServiceLifecycle

/// A started service: its bound port, stopped by ``stop()`` (graceful shutdown).
public final class RunningService: Sendable {
    /// The port the service listens on.
    public let port: Int
    private let task: Task<Void, any Error>

    init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Waits until the service stops on its own (a signal, a fatal error).
    public func wait() async throws { try await task.value }

    /// Shuts the service down and waits for it.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}

extension ClearanceApplication {
    /// Starts the service in the background and returns once it listens (port 0: a free port).
    /// - Parameter handleSignals: shut down gracefully on SIGINT/SIGTERM (the CLI), not in tests.
    public static func start(
        _ environment: ServiceEnvironment, services: [any Service] = [], handleSignals: Bool = false
    ) async throws -> RunningService {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try build(environment, services: services) { port in continuation.yield(port) }
        let task = Task {
            defer { continuation.finish() }
            if handleSignals { try await app.runService() } else { try await app.run() }
        }
        for await port in ports { return RunningService(port: port, task: task) }
        // The stream ended without a port: the server failed to start.
        try await task.value
        throw ServerError.configuration("the server stopped before listening on \(environment.configuration.host):\(environment.configuration.port)")
    }
}
