/// What a sweep of waiting inventories found (``BatchForwarder/releaseCompleted(touchedAfter:pageSize:)``).
public struct WaitingSweep: Sendable, Hashable {
    /// Waiting inventories whose order, payment and waybill were all stored (and new since the mark).
    public var candidates = 0
    /// The envelope guids of the messages that released inventories to their destinations, once each.
    public var released: [String] = []
    /// The highest declaration id when the sweep began: the next sweep's `touchedAfter`.
    public var mark: Int64 = 0

    public init(candidates: Int = 0, released: [String] = [], mark: Int64 = 0) {
        self.candidates = candidates
        self.released = released
        self.mark = mark
    }
}
