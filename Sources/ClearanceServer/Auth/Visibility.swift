import ClearanceStore

/// Who may see what: ops see everything; a merchant or system sees a declaration only when its
/// code appears in it (platform, e-commerce enterprise, logistics, agent, payment or sender).
/// Anything else is answered with 404, never 403, so its existence is not disclosed.
public enum Visibility {
    /// Whether `enterprise` may see this declaration.
    public static func canSee(_ d: DeclarationSummary, _ enterprise: EnterpriseRecord) -> Bool {
        if enterprise.role == .ops { return true }
        let code = enterprise.code
        return [d.ebpCode, d.ebcCode, d.logisticsCode, d.agentCode, d.senderCode].contains { $0 == code }
    }

    /// The part of a timeline `enterprise` may see, or nil when it may see none of it.
    public static func filter(_ t: ShipmentTimeline, for enterprise: EnterpriseRecord) -> ShipmentTimeline? {
        if enterprise.role == .ops { return t }
        let visible = t.declarations.filter { canSee($0, enterprise) }
        guard !visible.isEmpty else { return nil }
        let ids = Set(visible.map(\.id))
        let messageGuids = Set(visible.map(\.messageGuid))
        var out = t
        out.declarations = visible
        out.receipts = t.receipts.filter { $0.declarationId.map(ids.contains) ?? false }
        let receiptGuids = Set(out.receipts.map(\.messageGuid))
        out.messages = t.messages.filter { messageGuids.contains($0.guid) || receiptGuids.contains($0.guid) }
        let visibleGuids = Set(out.messages.map(\.guid))
        // Deliveries of visible messages, except to another enterprise's webhook (its URL and
        // errors are that enterprise's business).
        out.deliveries = t.deliveries.filter { delivery in
            guard visibleGuids.contains(delivery.messageGuid) else { return false }
            guard let owner = Webhooks.enterpriseCode(destination: delivery.destination) else { return true }
            return owner == enterprise.code
        }
        out.events = t.events.filter { e in
            if let id = e.declarationId { return ids.contains(id) }
            if let guid = e.messageGuid { return visibleGuids.contains(guid) }
            return false
        }
        return out
    }
}
