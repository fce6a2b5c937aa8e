/// A list that counts everything appended but keeps only the first `limit` elements: what a
/// report names of a possibly huge set (the waiting inventories of a 100,000-document batch)
/// without holding all of it.
struct BoundedList<Element> {
    private(set) var kept: [Element] = []
    private(set) var count = 0
    let limit: Int

    init(keeping limit: Int) { self.limit = limit }

    mutating func append(_ element: Element) {
        count += 1
        if kept.count < limit { kept.append(element) }
    }

    mutating func append(contentsOf elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }
}
