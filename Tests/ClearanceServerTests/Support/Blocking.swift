import Foundation

/// Runs blocking work (sockets, child processes) on a thread of its own, never on the Swift
/// concurrency pool: a test blocking a pool thread would starve the server it is testing.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}
