/// What a CEB792 summary result (汇总结果单) says about the inventories it summarised: customs
/// formed one export declaration (`entryId`, once it has one) in state `decState` out of the
/// inventories listed. Carried by the result's ``ReceiptRecord``; the store writes the number and
/// state on each listed inventory and moves it to ``DeclarationStatus/summarized``.
public struct SummaryResultFacts: Sendable, Hashable {
    /// `sumNo`: the summary application number customs gave (also in CEB702).
    public var sumNo: String
    /// `declSeqNo`: customs' unified number of the declaration this result stands for.
    public var declSeqNo: String
    /// `entryId`: the customs declaration number (报关单编号); nil until customs assigns it.
    public var entryId: String?
    /// `decState`: the declaration's state, as customs sends it (values set by customs).
    public var decState: String
    /// `ebcCode`: the shipper/receiver whose inventories these are.
    public var ebcCode: String
    /// The summarised inventories' `invtNo`s (one per listed line, deduplicated, in order).
    public var invtNos: [String]

    public init(sumNo: String, declSeqNo: String, entryId: String?, decState: String, ebcCode: String, invtNos: [String]) {
        self.sumNo = sumNo
        self.declSeqNo = declSeqNo
        self.entryId = entryId
        self.decState = decState
        self.ebcCode = ebcCode
        var seen = Set<String>()
        self.invtNos = invtNos.filter { seen.insert($0).inserted }
    }
}
