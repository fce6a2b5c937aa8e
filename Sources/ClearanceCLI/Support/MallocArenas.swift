import CMalloc
import Foundation

/// glibc gives each thread that allocates its own malloc arena (up to eight per core), and memory
/// freed in one arena is not reused by another. `ingest` hands each chunk from the parsing thread to
/// the store's engine thread and back to the task pool, so every arena fills with the same
/// short-lived buffers: `ingest --route` of a 336 MB batch peaked at 132 MB with the default and at
/// 114 MB with two arenas, in the same time (SQLite, /dev/shm, release). A `MALLOC_ARENA_MAX` set in
/// the environment wins.
enum MallocArenas {
    /// Limits glibc to `count` arenas; call before the command starts its threads' work.
    static func limit(to count: Int32 = 2) {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        _ = mallopt(M_ARENA_MAX, count)
    }
}
