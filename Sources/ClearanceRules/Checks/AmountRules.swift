import CEBModel

/// The arithmetic customs checks across a document's fields and lines, to the cent:
/// line total = qty × price, goodsValue = Σ line totals, acturalPaid = goodsValue + freight
/// − discount + taxTotal, and the ¥5,000 per-order limit of retail imports.
public struct AmountRules: Sendable {
    /// The per-order limit of a retail import, in yuan (customs value: goods + freight + insurance).
    public var perOrderLimit: CEBDecimal

    struct Plan: Sendable {
        var qty = -1, price = -1, totalPrice = -1, lineCurrency = -1
        var goodsValue = -1, freight = -1, discount = -1, taxTotal = -1, acturalPaid = -1, insuredFee = -1, currency = -1
        /// Retail import documents the per-order limit applies to.
        var limited = false
    }

    let plans: [Plan]

    /// Builds the plans for every message in the catalog.
    public init(catalog: [MessageSpec] = MessageCatalog.all, perOrderLimit: CEBDecimal = CEBDecimal(5000)) {
        self.perOrderLimit = perOrderLimit
        plans = catalog.map { message in
            var plan = Plan()
            let head = message.document.head
            func index(_ name: String) -> Int { head.index(of: name) ?? -1 }
            plan.goodsValue = index("goodsValue")
            plan.freight = index("freight")
            plan.discount = index("discount")
            plan.taxTotal = index("taxTotal")
            plan.acturalPaid = index("acturalPaid")
            plan.insuredFee = index("insuredFee")
            plan.currency = index("currency")
            if let lines = message.document.lines {
                plan.qty = lines.index(of: "qty") ?? -1
                plan.price = lines.index(of: "price") ?? -1
                plan.totalPrice = lines.index(of: "totalPrice") ?? -1
                plan.lineCurrency = lines.index(of: "currency") ?? -1
            }
            plan.limited = message.number == "CEB311" || message.number == "CEB621"
            return plan
        }
    }

    /// Appends an issue for each sum that does not add up (see ``RecordRules``).
    public func checkDocument(_ values: DocumentValues, message: MessageSpec, messageIndex: Int,
                              location: IssueLocation, into issues: inout [ValidationIssue]) {
        let plan = plans[messageIndex]
        let linePath = message.document.lines?.element ?? ""
        var sum = CEBDecimal.zero
        var sumKnown = plan.totalPrice >= 0 && values.lineCount > 0
        for index in 0..<values.lineCount {
            let line = values.line(index)
            guard plan.totalPrice >= 0, let total = line.decimal(plan.totalPrice) else { sumKnown = false; continue }
            if plan.qty >= 0, plan.price >= 0, let qty = line.decimal(plan.qty), let price = line.decimal(plan.price) {
                if let product = qty.multiplied(by: price), product.rounded(toFractionDigits: 2) != total.rounded(toFractionDigits: 2) {
                    issues.append(location.issue("RUL001", "totalPrice \(total) is not qty \(qty) × price \(price) = \(product.rounded(toFractionDigits: 2))",
                                                 field: "\(linePath)[\(index + 1)].totalPrice", at: line.position(plan.totalPrice)))
                }
            }
            guard let next = sum.adding(total) else { sumKnown = false; break }
            sum = next
        }
        let head = values.head
        if sumKnown, plan.goodsValue >= 0, let goodsValue = head.decimal(plan.goodsValue),
           goodsValue.rounded(toFractionDigits: 2) != sum.rounded(toFractionDigits: 2) {
            issues.append(location.issue("RUL002", "goodsValue \(goodsValue) is not the sum of the line totals, \(sum.rounded(toFractionDigits: 2))",
                                         field: "goodsValue", at: head.position(plan.goodsValue)))
        }
        if plan.acturalPaid >= 0, let paid = head.decimal(plan.acturalPaid), let goodsValue = head.decimal(plan.goodsValue) {
            let freight = plan.freight >= 0 ? head.decimal(plan.freight) ?? .zero : .zero
            let discount = plan.discount >= 0 ? head.decimal(plan.discount) ?? .zero : .zero
            let tax = plan.taxTotal >= 0 ? head.decimal(plan.taxTotal) ?? .zero : .zero
            let expected = CEBDecimal(units: goodsValue.units &+ freight.units &- discount.units &+ tax.units)
            if paid.rounded(toFractionDigits: 2) != expected.rounded(toFractionDigits: 2) {
                issues.append(location.issue("RUL003", "acturalPaid \(paid) is not goodsValue + freight − discount + taxTotal = \(expected.rounded(toFractionDigits: 2))",
                                             field: "acturalPaid", at: head.position(plan.acturalPaid)))
            }
        }
        if plan.limited { checkLimit(values, plan: plan, lineSum: sumKnown ? sum : nil, location: location, into: &issues) }
    }

    private func checkLimit(_ values: DocumentValues, plan: Plan, lineSum: CEBDecimal?, location: IssueLocation, into issues: inout [ValidationIssue]) {
        let head = values.head
        // The limit is in yuan: documents in another currency are left to the customs rate tables.
        if plan.currency >= 0, let currency = head.bytes(plan.currency), String(decoding: currency, as: UTF8.self) != "142" { return }
        guard let goods = (plan.goodsValue >= 0 ? head.decimal(plan.goodsValue) : nil) ?? lineSum else { return }
        let freight = plan.freight >= 0 ? head.decimal(plan.freight) ?? .zero : .zero
        let insurance = plan.insuredFee >= 0 ? head.decimal(plan.insuredFee) ?? .zero : .zero
        let value = CEBDecimal(units: goods.units &+ freight.units &+ insurance.units)
        guard value > perOrderLimit else { return }
        let field = plan.goodsValue >= 0 ? "goodsValue" : "totalPrice"
        let position = plan.goodsValue >= 0 ? head.position(plan.goodsValue) : nil
        // A single indivisible item above the limit may still enter, taxed as general trade.
        if values.lineCount == 1, plan.qty >= 0, let qty = values.line(0).decimal(plan.qty), qty == CEBDecimal(1) {
            issues.append(location.issue("WRN003", "customs value ¥\(value.rounded(toFractionDigits: 2)) exceeds the ¥\(perOrderLimit) per-order limit; as a single indivisible item it is taxed as general trade",
                                         field: field, at: position, severity: .warning))
        } else {
            issues.append(location.issue("RUL004", "customs value ¥\(value.rounded(toFractionDigits: 2)) (goods + freight + insurance) exceeds the ¥\(perOrderLimit) per-order limit for retail imports",
                                         field: field, at: position))
        }
    }
}
