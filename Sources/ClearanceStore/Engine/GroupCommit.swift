import Foundation

/// Group commit, as databases do for their own log: concurrent callers each hand in one job and
/// wait; one drainer commits what is queued as a group, in one transaction, and answers each
/// caller with its own result when that group commits.
///
/// Why: a single message costs a transaction, a commit (a WAL flush) and a dozen round trips of
/// its own; sixteen concurrent requests paying that sixteen times leave the database mostly
/// waiting on flushes. Grouped, they share one transaction, multi-row statements and one flush.
///
/// How a group forms ("whoever finds the queue idle commits now"): the caller that finds no
/// drainer running starts one, which takes everything queued (at most ``Settings/maxJobs``)
/// at once, so a lone request pays no added wait; what arrives while a group commits forms the
/// next group. Under load (the previous group had more than one job) the drainer first waits up
/// to ``Settings/window`` for the queue to fill, trading a little latency for bigger groups.
///
/// Failure isolation is the `commit` closure's concern: it answers every job of the group
/// (typically by retrying each alone when the group's transaction fails).
///
/// `Sendable`: all mutable state lives in a ``LockedValue``.
final class GroupCommit<Job: Sendable, Answer: Sendable>: Sendable {
    /// How groups are formed.
    struct Settings: Sendable {
        /// Most jobs per group; 1 disables grouping (every job commits alone).
        var maxJobs: Int
        /// How long a drainer under load waits for the queue to fill; zero: never waits.
        var window: Duration

        var enabled: Bool { maxJobs > 1 }
    }

    /// Commits one group and returns one answer per job, in order.
    typealias Commit = @Sendable ([Job]) async -> [Result<Answer, StoreError>]

    private struct Pending: Sendable {
        let job: Job
        let answer: CheckedContinuation<Result<Answer, StoreError>, Never>
    }

    private struct State: Sendable {
        var queue: [Pending] = []
        var draining = false
        var counts = GroupCommitCounts()
    }

    let settings: Settings
    private let state = LockedValue(State())

    init(settings: Settings) {
        self.settings = settings
    }

    /// What has been committed so far (tests and metrics).
    var counts: GroupCommitCounts {
        state.withValue { s in
            var counts = s.counts
            counts.queued = s.queue.count
            return counts
        }
    }

    /// Queues `job` and waits for the group it joins to commit. `commit` runs the group; the
    /// caller that starts a drainer supplies it (every caller passes the same one), so the
    /// committer holds no reference to its owner between groups.
    func submit(_ job: Job, commit: @escaping Commit) async throws(StoreError) -> Answer {
        let result: Result<Answer, StoreError> = await withCheckedContinuation { continuation in
            let lead = state.withValue { s -> Bool in
                s.queue.append(Pending(job: job, answer: continuation))
                s.counts.submitted += 1
                if s.draining { return false }
                s.draining = true
                return true
            }
            if lead { Task { await self.drain(commit) } }
        }
        return try result.get()
    }

    /// Answers a group with `write` run once for all its jobs; when that fails (a row the
    /// database refuses, a lost connection), with `write` run for each job alone, so only the
    /// bad one gets its error.
    func commitEach(
        _ group: [Job], _ write: ([Job]) async throws(StoreError) -> [Answer]
    ) async -> [Result<Answer, StoreError>] {
        do throws(StoreError) {
            return try await write(group).map { .success($0) }
        } catch {
            guard group.count > 1 else { return [.failure(error)] }
        }
        state.withValue { $0.counts.retriedAlone += group.count }
        var answers: [Result<Answer, StoreError>] = []
        for job in group {
            do throws(StoreError) {
                guard let answer = try await write([job]).first else { throw .notFound("no answer for a job retried alone") }
                answers.append(.success(answer))
            } catch {
                answers.append(.failure(error))
            }
        }
        return answers
    }

    /// Commits groups until the queue is empty, then steps down.
    private func drain(_ commit: Commit) async {
        var lastGroupSize = 1
        while true {
            if lastGroupSize > 1, settings.window > .zero, state.withValue({ $0.queue.count }) < settings.maxJobs {
                try? await Task.sleep(for: settings.window)
            }
            let group = state.withValue { s -> [Pending] in
                let taken = Array(s.queue.prefix(max(1, settings.maxJobs)))
                s.queue.removeFirst(taken.count)
                if taken.isEmpty { s.draining = false }
                return taken
            }
            if group.isEmpty { return }
            let answers = await commit(group.map(\.job))
            state.withValue { s in
                s.counts.groups += 1
                s.counts.jobs += group.count
                s.counts.largestGroup = max(s.counts.largestGroup, group.count)
            }
            for (i, pending) in group.enumerated() {
                pending.answer.resume(returning: i < answers.count
                    ? answers[i] : .failure(.notFound("group commit gave no answer for job \(i + 1) of \(group.count)")))
            }
            lastGroupSize = group.count
        }
    }
}
