/// Which rows of a claim in shipment order may go now, and in which chains
/// (``ClearanceFlowStore/claimOutboxInShipmentOrder(limit:lease:now:)``).
///
/// A shipment's rows for one destination are its rows sharing an orderNo or a logisticsNo key
/// (a waybill and an inventory carry both, so rows sharing either are linked). A claimed row may go
/// when every earlier unfinished row of its keys is in the same claim, and then goes after them: the
/// claimed rows linked by keys form a chain, named by its first row's id. A claimed row with an
/// earlier unfinished row outside the claim is released, and so is every later row of its keys.
struct ShipmentChains {
    /// A shipment key of one destination.
    struct Key: Hashable {
        enum Kind: Hashable { case order, logistics }
        var kind: Kind
        var destination: String
        var value: String
    }

    /// Unfinished rows (pending or in flight, the claimed ones included) by key.
    private var rowsByKey: [Key: [Int64]] = [:]
    private var keysOf: [Int64: [Key]] = [:]

    /// Records that unfinished row `id` carries `key`.
    mutating func add(id: Int64, key: Key) {
        rowsByKey[key, default: []].append(id)
        keysOf[id, default: []].append(key)
    }

    /// The claimed `rows` that may go (in their order, each with its chain) and those released.
    func order(_ rows: [OutboxEntry]) -> (kept: [OutboxEntry], released: [OutboxEntry]) {
        let claimed = Set(rows.map(\.id))
        var held = Set<Key>()
        var releasedIds = Set<Int64>()
        // Union-find over the kept rows; a set's root is its smallest id.
        var parent: [Int64: Int64] = [:]
        func root(_ id: Int64) -> Int64 {
            var x = id
            while let p = parent[x], p != x { x = p }
            return x
        }
        var lastOfKey: [Key: Int64] = [:]
        for row in rows.sorted(by: { $0.id < $1.id }) {
            let keys = keysOf[row.id] ?? []
            let waits = keys.contains { key in
                held.contains(key) || rowsByKey[key, default: []].contains { $0 < row.id && !claimed.contains($0) }
            }
            if waits {
                releasedIds.insert(row.id)
                held.formUnion(keys)
                continue
            }
            guard !keys.isEmpty else { continue }
            parent[row.id] = row.id
            for key in keys {
                if let other = lastOfKey[key] {
                    let (a, b) = (root(other), root(row.id))
                    if a != b { parent[max(a, b)] = min(a, b) }
                }
                lastOfKey[key] = row.id
            }
        }
        var kept: [OutboxEntry] = [], released: [OutboxEntry] = []
        for var row in rows {
            if releasedIds.contains(row.id) {
                released.append(row)
                continue
            }
            if parent[row.id] != nil { row.chain = root(row.id) }
            kept.append(row)
        }
        return (kept, released)
    }
}
