import Foundation

/// A ``FlowWrite`` validated and converted to rows before it joins a group commit, so a bad
/// message is refused on its own and never fails the transaction of its neighbours.
struct PreparedFlowWrite: Sendable {
    /// The message, its declarations (with the flow's status) and their lines.
    let chunk: PreparedChunk
    let messageGuid: String
    let events: [Event]
    let routes: [OutboxRoute]
    /// Declarations and lines offered, to split a group's counts into per-message reports.
    let declarationCount: Int
    let lineCount: Int

    init(_ write: FlowWrite, masker: BuyerIdentityMasker, now: Int64) throws(StoreError) {
        // The flow's status goes in with the declarations (no UPDATE after the insert).
        var item = write.item
        if let status = write.status {
            for i in item.declarations.indices { item.declarations[i].status = status }
        }
        chunk = try PreparedChunk(items: [item], masker: masker, now: now)
        messageGuid = item.message.guid
        events = write.events
        routes = write.routes
        declarationCount = chunk.declarations.count
        lineCount = chunk.lines.count
    }
}
