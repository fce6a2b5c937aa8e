/// One export inventory as the summary declaration sees it: where it is stored, its status, and
/// the summary it is already in, if any. The goods and grouping fields stay in its raw message
/// (decoded by the caller), so the store holds each fact once.
public struct ExportInventoryStanding: Sendable, Hashable {
    public var declarationId: Int64
    /// The head guid.
    public var declarationGuid: String
    /// The envelope guid of the message that carried it.
    public var messageGuid: String
    public var status: DeclarationStatus
    public var copNo: String?
    /// The inventory's number: its own `invtNo`, or the one customs gave it in a CEB604 receipt.
    public var invtNo: String?
    /// The copNo of the summary application it is in (nil: in none).
    public var summaryCopNo: String?
    /// The customs declaration number it was summarised into (CEB792 `entryId`).
    public var entryId: String?
    /// The declaration's state customs gave (CEB792 `decState`).
    public var decState: String?

    public init(declarationId: Int64, declarationGuid: String, messageGuid: String, status: DeclarationStatus, copNo: String?,
                invtNo: String?, summaryCopNo: String? = nil, entryId: String? = nil, decState: String? = nil) {
        self.declarationId = declarationId
        self.declarationGuid = declarationGuid
        self.messageGuid = messageGuid
        self.status = status
        self.copNo = copNo
        self.invtNo = invtNo
        self.summaryCopNo = summaryCopNo
        self.entryId = entryId
        self.decState = decState
    }
}

/// The store side of the export summary declaration (汇总申报): which export inventories an
/// enterprise has, and the claim that puts cleared ones in one summary application exactly once.
public protocol ExportSummaryStore: Sendable {
    /// At most `limit` export inventories of the e-commerce enterprise `ebcCode` (shipper) stored
    /// after the one whose id is `afterId`, oldest first: a month of a large exporter is read a page
    /// at a time (keyset on the id), so a summary run holds one page, never the whole month.
    func exportInventories(ebcCode: String, afterId: Int64, limit: Int) async throws(StoreError) -> [ExportInventoryStanding]

    /// Per e-commerce enterprise (`ebcCode`), how many of its export inventories customs cleared
    /// (899) are in no summary application yet, in code order: what its summary still has to take
    /// (the stats, the ops overview and `GET /v1/export/summary-reminders` all read this one query).
    func exportsToSummarise() async throws(StoreError) -> [StoreStats.EnterpriseCount]

    /// Puts the inventories in the summary application `copNo` of `period`: each one still cleared
    /// (899) and in no summary moves to `summarising`, with an event, in one transaction. Returns
    /// the ids claimed: an inventory another run took meanwhile is left out, never claimed twice.
    func claimForSummary(inventoryIds: [Int64], copNo: String, period: String, ebcCode: String) async throws(StoreError) -> [Int64]

    /// Gives back the inventories of the application `copNo` that customs has not summarised yet
    /// (cleared again, out of the application): for a run whose application could not be sent.
    func releaseSummaryClaim(copNo: String) async throws(StoreError)
}

extension ExportSummaryStore {
    /// Every export inventory of the e-commerce enterprise `ebcCode`, oldest first (all pages of
    /// ``exportInventories(ebcCode:afterId:limit:)``): for callers that want them all at once.
    public func exportInventories(ebcCode: String) async throws(StoreError) -> [ExportInventoryStanding] {
        var all: [ExportInventoryStanding] = []
        while true {
            let page = try await exportInventories(ebcCode: ebcCode, afterId: all.last?.declarationId ?? 0, limit: 1000)
            all += page
            if page.count < 1000 { return all }
        }
    }
}
