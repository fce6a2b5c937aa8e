/// The database engine behind a ``Store``.
public enum StoreEngine: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Embedded SQLite file (the default).
    case sqlite
    /// PostgreSQL server reached through libpq.
    case postgresql

    public var description: String { rawValue }
}
