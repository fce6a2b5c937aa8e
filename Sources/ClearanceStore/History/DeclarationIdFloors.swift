import CEBModel
import Foundation

/// The lowest declaration id of a year's declarations (by arrival), so a look-up that needs only
/// those probes only the declarations partitions that can hold them: PostgreSQL prunes the others,
/// however many years the store keeps. A buyer's annual total (one for every inventory judged)
/// reads from its year's floor; a receipt found by number tries the current year's declarations
/// first (``SQLStore``'s `resolveDeclaration`), the older ones only when none answers. Probing
/// every partition's buyer index cost 1.8–2.2 ms a look-up with 120 partitions of 40,000 rows,
/// against 0.27–0.29 ms with the floor leaving five (pgbench, prepared, on this machine).
///
/// Ids are handed out in arrival order (`declaration_keys`' identity), so the declarations stored
/// before a moment lie below the first id stored since then; the floor of a year is that id for
/// ``margin`` before the year's first moment (China time), room for an inventory declared
/// (`appTime`) a little ahead of its arrival. One declared in a year but stored more than a week
/// before that year began is not in its buyer's total: retention assumes the same (a partition
/// whose newest declaration was stored before the year began may be detached,
/// ``PartitionReport/Hold/quotaYear``). A floor is kept ``kept``: one found while a partition was
/// detached leaves that partition's rows out of buyers' totals for as long once it is reattached (a
/// reattach in this process forgets the floors).
final class DeclarationIdFloors: Sendable {
    /// How long before a year's start its floor reaches.
    static let margin: TimeInterval = 7 * 86_400
    /// How long a floor found is used.
    static let kept: Duration = .seconds(600)

    private let known = LockedValue<[Int: (id: Int64, found: ContinuousClock.Instant)]>([:])
    /// Held while a floor is searched for: the look-ups that miss it meanwhile wait for that search
    /// instead of each running their own (a process's first inventories arrive together). The search
    /// only reads by primary key, which no writer's lock blocks, so waiting on it cannot deadlock.
    private let searching = NSLock()

    /// The floor of `year`: the one kept, or the one `find` returns (then kept) given the moment
    /// in Unix milliseconds from which rows count (``firstId(_:storedSince:)`` in the caller's session).
    func floor(year: Int, _ find: (_ since: Int64) throws(StoreError) -> Int64) throws(StoreError) -> Int64 {
        if let id = fresh(year) { return id }
        searching.lock()
        defer { searching.unlock() }
        if let id = fresh(year) { return id }
        let start = ChinaTime.yearBounds(year).start.addingTimeInterval(-Self.margin)
        let id = try find(StoreClock.milliseconds(start))
        known.withValue { $0[year] = (id, ContinuousClock.now) }
        return id
    }

    /// The floor of `year` when one was found less than ``kept`` ago.
    private func fresh(_ year: Int) -> Int64? {
        guard let kept = known.get()[year], ContinuousClock.now - kept.found < Self.kept else { return nil }
        return kept.id
    }

    /// The floor of `year` found in session `s`; nil on SQLite, which keeps one table, where a range
    /// of ids could lead its planner off the index a look-up wants (the buyer's, a number's).
    func floor(year: Int, in s: any SQLSession) throws(StoreError) -> Int64? {
        guard s.dialect == .postgresql else { return nil }
        return try floor(year: year) { (since) throws(StoreError) in try Self.firstId(s, storedSince: since) }
    }

    /// Forgets every floor (a partition attached again may hold rows below one).
    func forget() {
        known.set([:])
    }

    /// The first declaration id stored at or after `since` (Unix milliseconds), or one past the
    /// newest when none was: a binary search over ids, each step one probe of the primary key
    /// (about 30 for a billion ids). Rows stored later get higher ids, so they are above it too.
    static func firstId(_ s: any SQLSession, storedSince since: Int64) throws(StoreError) -> Int64 {
        guard let range = try s.queryOne("SELECT MIN(id), MAX(id) FROM declarations", []),
              var low = range.int64(0), let newest = range.int64(1) else { return 0 }
        var high = newest + 1
        // Below `low` every row was stored before `since`; from `high` on every row at or after it.
        while low < high {
            let middle = low + (high - low) / 2
            guard let row = try s.queryOne(
                "SELECT id, created_at FROM declarations WHERE id >= $1 ORDER BY id LIMIT 1", [.integer(middle)]),
                  let id = row.int64(0), let stored = row.int64(1) else {
                high = middle
                continue
            }
            if stored >= since { high = middle } else { low = id + 1 }
        }
        return low
    }
}
