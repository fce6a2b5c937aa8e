/// What linking a stored CEB607 consolidated waybill (清单总分单) to the export inventories its
/// lines name found (``Store/linkManifest(senderCode:declaration:)``).
public struct ManifestLinkReport: Sendable, Hashable, Codable {
    /// How many unknown invtNos are kept as examples, whatever the count.
    public static let maxExamples = 10

    /// Lines read.
    public var lines = 0
    /// Lines whose inventory is stored (each such inventory got a `consolidated` event).
    public var linkedLines = 0
    /// Linked lines whose inventory carries another waybill (its own `logisticsNo` is not the line's):
    /// reported, not fatal (the parcel was relabelled, or the line names the wrong inventory).
    public var otherParcelLines = 0
    /// `consolidated` events newly added (0 on a re-run).
    public var eventsAdded = 0
    /// Lines naming an inventory (invtNo) that is not stored: reported, not fatal — customs
    /// checks the manifest against its own records, and the inventories may be stored later.
    public var unknownLines = 0
    /// The first of those invtNos, in line order (at most ``maxExamples``).
    public var unknownExamples: [String] = []

    /// An empty report.
    public init() {}

    /// Adds another window's (or manifest's) figures, keeping at most ``maxExamples`` examples.
    public mutating func add(_ other: ManifestLinkReport) {
        (lines, linkedLines) = (lines + other.lines, linkedLines + other.linkedLines)
        (eventsAdded, unknownLines) = (eventsAdded + other.eventsAdded, unknownLines + other.unknownLines)
        otherParcelLines += other.otherParcelLines
        unknownExamples += other.unknownExamples.prefix(max(0, Self.maxExamples - unknownExamples.count))
    }
}
