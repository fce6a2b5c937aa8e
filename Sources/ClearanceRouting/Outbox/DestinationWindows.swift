/// Each destination's requests in flight, counted across every delivery round of one worker, so
/// rounds that overlap (``DeliveryWorker/run(latencySample:stop:eachRound:)`` claims the next round
/// while the last requests of the one before are out) never put more than a destination's
/// `concurrency` requests in flight at once. Slots are handed over in the order they were asked
/// for: a round's chains start before those of the round claimed after it.
actor DestinationWindows {
    private var inUse: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Returns once one of `destination`'s `width` slots is this caller's (at once when one is free).
    func acquire(_ destination: String, width: Int) async {
        if inUse[destination, default: 0] < max(width, 1) {
            inUse[destination, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[destination, default: []].append($0) }
    }

    /// Gives a slot of `destination` back: to the longest waiting caller if any (the count stays),
    /// else to the pool.
    func release(_ destination: String) {
        if var queue = waiting[destination], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[destination] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            inUse[destination, default: 1] -= 1
        }
    }
}
