/// A declaration's unique key in the store, (kind, sender, dedup key), as prepared rows carry it.
///
/// Ordered byte by byte, as PostgreSQL's `COLLATE "C"` orders the unique index: every writer
/// inserts a chunk's rows in this order, so chunk transactions written at once that share keys
/// take their locks in one order and wait for each other instead of deadlocking. Hashable for the
/// bulk writer's maps from key to id (no joined string per row).
struct DeclarationKey: Hashable, Comparable {
    let kind: String
    let sender: String
    let dedup: String

    /// From a declaration's values, which start kind, declaration_guid, sender_code, dedup_key
    /// (``BulkColumns/declarations``).
    init(declarationValues v: [SQLValue]) { self.init(v[0], v[2], v[3]) }

    /// From a line's key (``BulkColumns/lineKey``: kind, sender_code, dedup_key).
    init(lineKey k: [SQLValue]) { self.init(k[0], k[1], k[2]) }

    init(kind: String, sender: String, dedup: String) {
        (self.kind, self.sender, self.dedup) = (kind, sender, dedup)
    }

    private init(_ kind: SQLValue, _ sender: SQLValue, _ dedup: SQLValue) {
        func text(_ v: SQLValue) -> String { if case .text(let s) = v { return s }; return "" }
        self.init(kind: text(kind), sender: text(sender), dedup: text(dedup))
    }

    static func < (a: DeclarationKey, b: DeclarationKey) -> Bool {
        if a.kind != b.kind { return a.kind.utf8.lexicographicallyPrecedes(b.kind.utf8) }
        if a.sender != b.sender { return a.sender.utf8.lexicographicallyPrecedes(b.sender.utf8) }
        return a.dedup.utf8.lexicographicallyPrecedes(b.dedup.utf8)
    }
}
