import Foundation

/// A statement parameter or result cell, engine-neutral.
///
/// PostgreSQL results come back in text format (save `bytea`, as ``blob(_:)``), so readers accept both native and text forms.
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    /// Bound as `NUMERIC` text in PostgreSQL, as the scaled integer in SQLite.
    case decimal(FixedDecimal)

    static func optional(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    static func optional(_ d: FixedDecimal?) -> SQLValue { d.map { .decimal($0) } ?? .null }
    static func optional(_ i: Int64?) -> SQLValue { i.map { .integer($0) } ?? .null }
    static func time(_ date: Date) -> SQLValue { .integer(StoreClock.milliseconds(date)) }
    static func optionalTime(_ date: Date?) -> SQLValue { date.map { time($0) } ?? .null }
}

/// Times are stored as `BIGINT` Unix milliseconds (UTC) in both engines.
enum StoreClock {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// One result row.
struct SQLRow: Sendable {
    var values: [SQLValue]

    subscript(_ i: Int) -> SQLValue { values[i] }

    func string(_ i: Int) -> String? {
        switch values[i] {
        case .null: nil
        case .text(let s): s
        case .integer(let n): String(n)
        case .decimal(let d): d.description
        case .blob(let b): String(decoding: b, as: UTF8.self)
        }
    }

    func int64(_ i: Int) -> Int64? {
        switch values[i] {
        case .integer(let n): n
        case .text(let s): Int64(s)
        default: nil
        }
    }

    func int(_ i: Int) -> Int? { int64(i).map { Int($0) } }

    /// Decimal columns: scaled integers (SQLite) or NUMERIC text (PostgreSQL).
    func decimal(_ i: Int) -> FixedDecimal? {
        switch values[i] {
        case .integer(let n): FixedDecimal(scaled: n)
        case .text(let s): FixedDecimal(s)
        case .decimal(let d): d
        default: nil
        }
    }

    func date(_ i: Int) -> Date? { int64(i).map { StoreClock.date(milliseconds: $0) } }

    /// Blob columns: raw bytes from either engine (``PGConnection`` decodes a `bytea` cell's hex itself).
    func bytes(_ i: Int) -> [UInt8]? {
        switch values[i] {
        case .blob(let b): b
        case .text(let s): Array(s.utf8)
        default: nil
        }
    }

    func requireString(_ i: Int, _ what: String) throws(StoreError) -> String {
        guard let s = string(i) else { throw .notFound("column \(what) is NULL") }
        return s
    }

    func requireInt64(_ i: Int, _ what: String) throws(StoreError) -> Int64 {
        guard let n = int64(i) else { throw .notFound("column \(what) is not an integer") }
        return n
    }
}
