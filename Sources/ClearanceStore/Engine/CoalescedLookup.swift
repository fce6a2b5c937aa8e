/// A key look-up that many requests ask at once — the enterprise of an API key, a message's stored
/// answer, the credit entries of a message's parties — answered for all of them by one statement.
///
/// Why: each signed message posted to the service asked PostgreSQL these reads on its own
/// (`bench_service.py` with `pg_stat_statements`: one call of each per message). The index probe is
/// the least of such a read's cost: each is a hop to an engine thread and back, a round trip, and
/// PostgreSQL's work per statement (bind, execute, send), which on this machine's two cores
/// competes with the writes for the same CPU.
///
/// How: ``GroupCommit`` with no window. A caller that finds no read running starts one at once, so
/// a lone request waits for nothing; callers arriving while it runs are read together by the next
/// one (at most `maxJobs` callers). When a shared read fails, each of its callers reads its own keys
/// again alone, so a row that cannot be read fails only the callers that asked for it (as group
/// commit retries a failed group one by one). Reads see the store as it is when they run, after
/// their callers asked, so nothing is older than an uncoalesced read would have returned.
final class CoalescedLookup<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Reads the rows of `keys` (distinct): each found key with its value; a key not found is left out.
    typealias Read = @Sendable (_ keys: [Key]) async throws(StoreError) -> [(Key, Value)]

    private let groups: GroupCommit<[Key], [Key: Value]>
    private let read: Read

    /// - Parameter maxJobs: most callers served by one read.
    init(maxJobs: Int = 64, read: @escaping Read) {
        self.groups = GroupCommit(settings: .init(maxJobs: max(1, maxJobs), window: .zero))
        self.read = read
    }

    /// Reads so far (tests: fewer than the callers when they came together).
    var counts: GroupCommitCounts { groups.counts }

    /// The value of each of `keys` that is stored.
    func values(for keys: [Key]) async throws(StoreError) -> [Key: Value] {
        guard !keys.isEmpty else { return [:] }
        return try await groups.submit(keys) { [read] jobs in
            do throws(StoreError) {
                let found = Dictionary(try await read(Array(Set(jobs.joined()))), uniquingKeysWith: { first, _ in first })
                return jobs.map { job in
                    .success(Dictionary(job.compactMap { key in found[key].map { (key, $0) } }, uniquingKeysWith: { first, _ in first }))
                }
            } catch {
                guard jobs.count > 1 else { return [.failure(error)] }
            }
            var answers: [Result<[Key: Value], StoreError>] = []
            for job in jobs {
                do throws(StoreError) {
                    answers.append(.success(Dictionary(try await read(Array(Set(job))), uniquingKeysWith: { first, _ in first })))
                } catch {
                    answers.append(.failure(error))
                }
            }
            return answers
        }
    }

    /// The value of `key`, or nil when it is not stored.
    func value(for key: Key) async throws(StoreError) -> Value? {
        try await values(for: [key])[key]
    }
}

/// `items` padded to a power of two by repeating the first: a coalesced read's list has any length
/// up to its ``CoalescedLookup`` limit, and each length is a statement PostgreSQL prepares and plans
/// once per connection; padded, at most eight shapes of each read exist (1 … 128 items).
func paddedToPowerOfTwo<T>(_ items: [T]) -> [T] {
    guard let first = items.first else { return [] }
    var size = 1
    while size < items.count { size *= 2 }
    return items + Array(repeating: first, count: size - items.count)
}

/// `keys` as the parameters of an `IN (…)` list, padded (``paddedToPowerOfTwo(_:)``).
func paddedKeys(_ keys: [String]) -> [SQLValue] {
    paddedToPowerOfTwo(keys).map { .text($0) }
}
