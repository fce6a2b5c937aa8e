/// Runs `body`, then awaits `cleanup`, also when `body` throws.
///
/// `defer { Task { await store.close() } }` does not wait: the test ends (and the next one starts,
/// or the process exits) while the store is still closing, a server still listening, a temporary
/// PostgreSQL database still in use. A `defer` cannot `await`; this can.
public func withCleanup<T>(_ cleanup: () async -> Void, _ body: () async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
