import CEBModel
import ClearanceStore
import Foundation

/// What a buyer may see of their parcel, drawn from a shipment's trace: the clearance steps with
/// their times (China Standard Time), the goods (name, quantity, origin), the route and the tax.
/// Nothing else: no names, ID or telephone (not even masked), no enterprise codes, no document numbers
/// other than the order number the buyer typed.
struct BuyerParcel: Sendable, Equatable {
    /// One step: done when it has a time.
    struct Step: Sendable, Equatable {
        var step: BuyerStep
        var at: String?
    }

    /// One goods line.
    struct Goods: Sendable, Equatable {
        var name: String
        var quantity: String
        var originCode: String?
    }

    var orderNo: String
    var steps: [Step]
    var goods: [Goods]
    /// Origin country codes (of the goods, in line order), then port and customs office codes.
    var origins: [String]
    var portCode: String?
    var customsCode: String?
    var tax: String?
    /// Customs returned the declaration (receipt 100): the steps stop there.
    var returned: Bool

    /// The latest step done (the page's headline); the tax, charged with the release, is no stage of its own.
    var current: BuyerStep? { steps.last { $0.at != nil && $0.step != .tax }?.step }

    /// Builds the parcel from a trace and the goods lines of its inventory (or order).
    init(orderNo: String, timeline t: ShipmentTimeline, lines: [DeclarationLineRecord]) {
        self.orderNo = orderNo
        let inventory = t.declarations.first { $0.kind == .inventory }
        let order = t.declarations.first { $0.kind == .order }
        func received(_ kind: DeclarationKind) -> String? {
            guard let d = t.declarations.first(where: { $0.kind == kind }),
                  let m = t.messages.first(where: { $0.guid == d.messageGuid }) else { return nil }
            return Self.time(m.receivedAt)
        }
        let inventoryReceipts = t.receipts.filter { r in inventory.map { r.declarationId == $0.id } ?? false }
        func receiptTime(_ matches: (String) -> Bool) -> String? {
            inventoryReceipts.first { matches($0.returnStatus) }.flatMap { ChinaTime.date(cebTime: $0.returnTime) }.map(Self.time)
        }
        var declared: String?
        if let inventory {
            declared = t.events.first { $0.kind == .routed && ($0.declarationId == inventory.id || $0.messageGuid == inventory.messageGuid) }
                .map { Self.time($0.occurredAt) }
            if declared == nil, CustomsProgress(status: inventory.status).rank > 0 {
                declared = t.messages.first { $0.guid == inventory.messageGuid }.map { Self.time($0.receivedAt) }
            }
        }
        let inspectionEvent = t.events.first { $0.kind == .inspectionHold }.map { Self.time($0.occurredAt) }
        let inspected = receiptTime { [5, 6].contains(CustomsProgress(status: $0).rank) } ?? inspectionEvent
        let released = receiptTime { $0 == "800" }
        let cleared = receiptTime { $0 == "899" }
        // Customs' tax bill (CEB816) says when the tax was levied; without one, the release does.
        let taxBilled = t.receipts.first { r in r.forKind == .taxBill && inventory.map { r.declarationId == $0.id } ?? false }
            .flatMap { ChinaTime.date(cebTime: $0.returnTime) }.map(Self.time)
        steps = [
            Step(step: .orderReceived, at: received(.order)),
            Step(step: .paymentReceived, at: received(.payment)),
            Step(step: .waybillReceived, at: received(.logistics)),
            Step(step: .declared, at: declared),
            Step(step: .inspection, at: inspected),
            Step(step: .released, at: released),
            Step(step: .tax, at: taxBilled ?? released),
            Step(step: .delivery, at: cleared),
        ]
        returned = inventoryReceipts.contains { $0.returnStatus == "100" }
        goods = lines.map { line in
            Goods(name: line.itemName ?? "—", quantity: line.qty.map(Self.quantity) ?? "—", originCode: line.country)
        }
        var origins: [String] = []
        for line in lines { if let c = line.country, !c.isEmpty, !origins.contains(c) { origins.append(c) } }
        self.origins = origins
        portCode = inventory?.portCode ?? order?.portCode
        customsCode = inventory?.customsCode ?? order?.customsCode
        // The tax the platform collects from the buyer (the order's `taxTotal`) unless the inventory states it.
        tax = (inventory?.taxTotal ?? order?.taxTotal).map(\.money)
    }

    /// The mustache values of the parcel in `language`.
    func values(_ language: OpsLanguage) -> [String: Any] {
        var route = origins.map { PlaceNames.country($0, language) }
        if let portCode { route.append(PlaceNames.customsPlace(portCode, language)) }
        if let customsCode, customsCode != portCode { route.append(PlaceNames.customsPlace(customsCode, language)) }
        var values: [String: Any] = [
            "orderNo": orderNo,
            "current": current.map { language.text(Self.key($0)) } ?? language.text("stepNone"),
            "currentStep": current?.rawValue ?? "none",
            "steps": steps.map { s -> [String: Any] in
                var v: [String: Any] = ["step": s.step.rawValue, "name": language.text(Self.key(s.step)), "done": s.at != nil]
                if let at = s.at { v["at"] = at }
                if s.step == .tax, let tax { v["amount"] = tax }
                return v
            },
            "goods": goods.map { g -> [String: Any] in
                ["name": g.name, "quantity": g.quantity, "origin": g.originCode.map { PlaceNames.country($0, language) } ?? "—"]
            },
            "route": route.joined(separator: " → "),
            "returned": returned,
        ]
        if let tax { values["tax"] = tax }
        return values
    }

    /// A quantity without trailing zeros: `3`, `2.5`.
    static func quantity(_ q: FixedDecimal) -> String {
        var text = q.description
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The catalogue key of a step's name: `stepOrderReceived`.
    static func key(_ step: BuyerStep) -> String { "step" + step.rawValue.prefix(1).uppercased() + step.rawValue.dropFirst() }

    /// A time as China Standard Time with the zone shown (the ops pages' one format).
    static func time(_ date: Date) -> String { OpsPageController.time(date) }
}
