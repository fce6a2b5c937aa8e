/// What a sweep of waiting inventories found (``BatchForwarder/releaseCompleted(pageSize:)``).
public struct WaitingSweep: Sendable, Hashable {
    /// Waiting inventories whose order, payment and waybill were all stored.
    public var candidates = 0
    /// The envelope guids of the messages that released inventories to their destinations.
    public var released: [String] = []

    public init(candidates: Int = 0, released: [String] = []) {
        self.candidates = candidates
        self.released = released
    }
}
