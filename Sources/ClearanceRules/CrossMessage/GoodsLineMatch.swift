import CEBModel

/// One goods line as the matches compare it: inventory lines against order lines, import and export alike.
struct GoodsLine {
    var gnum: Int
    var itemNo: String?
    /// What names the item when it has no itemNo (the goods name).
    var label: String
    var qty: CEBDecimal
    var price: CEBDecimal
    var totalPrice: CEBDecimal
}

/// Inventory lines agree with order lines by item: each inventory line must find the order line
/// with the same `itemNo` (or, when either lacks one, the same `gnum`), with equal quantity, unit
/// price and total. The codes are the caller's (import `MAT007`–`MAT009`, export `MAT103`–`MAT105`).
enum GoodsLineMatch {
    struct Codes {
        var lines: String
        var quantity: String
        var price: String
    }

    static func mismatches(_ inventoryLines: [GoodsLine], _ orderLines: [GoodsLine], codes: Codes) -> [CrossMessageIssue] {
        var issues: [CrossMessageIssue] = []
        if inventoryLines.count != orderLines.count {
            issues.append(CrossMessageIssue(
                code: codes.lines, field: "inventory.InventoryList", expected: "\(orderLines.count) lines",
                actual: "\(inventoryLines.count) lines", message: "the inventory and the order have different numbers of goods lines"))
        }
        var unmatchedOrder = Array(orderLines.indices)
        for line in inventoryLines {
            let label = "inventory.InventoryList[\(line.gnum)]"
            let found = unmatchedOrder.firstIndex { index in
                let candidate = orderLines[index]
                if let a = line.itemNo, let b = candidate.itemNo, !a.isEmpty, !b.isEmpty { return a == b }
                return candidate.gnum == line.gnum
            }
            guard let found else {
                issues.append(CrossMessageIssue(
                    code: codes.lines, field: "\(label).itemNo", actual: line.itemNo ?? line.label, message: "no order line has this item"))
                continue
            }
            let orderLine = orderLines[unmatchedOrder.remove(at: found)]
            if line.qty != orderLine.qty {
                issues.append(CrossMessageIssue(
                    code: codes.quantity, field: "\(label).qty", expected: orderLine.qty.description, actual: line.qty.description,
                    message: "the quantity differs from the order line's"))
            }
            if line.price != orderLine.price {
                issues.append(CrossMessageIssue(
                    code: codes.price, field: "\(label).price", expected: orderLine.price.description, actual: line.price.description,
                    message: "the unit price differs from the order line's"))
            }
            if line.totalPrice != orderLine.totalPrice {
                issues.append(CrossMessageIssue(
                    code: codes.price, field: "\(label).totalPrice", expected: orderLine.totalPrice.description,
                    actual: line.totalPrice.description, message: "the line total differs from the order line's"))
            }
        }
        return issues
    }
}
