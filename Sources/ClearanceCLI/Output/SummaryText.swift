import ClearanceRouting
import Foundation

/// The text and JSON faces of a summary run (`clearance summarize`).
enum SummaryText {
    static func lines(_ run: SummaryRun, deadline: String, dryRun: Bool) -> [String] {
        let plan = run.plan
        var out = ["enterprise \(plan.ebcCode), period \(plan.period): \(plan.declarations.count) declaration(s), "
                   + "\(plan.declarations.reduce(0) { $0 + $1.inventories.count }) inventories; due \(deadline)"]
        for (index, d) in plan.declarations.enumerated() {
            let k = d.key
            out.append("declaration \(index + 1): shipper \(k.ebcCode), transport \(k.trafMode), producer/seller \(k.ownerCode), "
                       + "destination \(k.country), exit port \(k.portCode) — \(d.inventories.count) inventories")
            for line in d.lines {
                out.append("  line: country \(line.key.country), HS \(line.key.gcode), currency \(line.key.currency): "
                           + "quantity \(line.quantity) \(line.unit) (declared \(line.declaredQuantity)), value \(line.value)"
                           + " [\(line.inventoryLines) inventory lines]")
            }
            for total in d.totals { out.append("  total \(total.currency): \(total.value)") }
            out.append("  inventories: " + d.inventories.map { $0.invtNo.isEmpty ? $0.copNo : $0.invtNo }.joined(separator: ", "))
            if let application = run.applications.first(where: { $0.declaration == index }) {
                out.append("  sent: application \(application.copNo), \(application.messageGuids.count) message(s) → "
                           + application.destinations.joined(separator: ", "))
            }
        }
        for e in plan.exclusions {
            out.append("left out: \(e.invtNo ?? e.copNo ?? "?") — \(e.reason)")
        }
        if dryRun { out.append("dry run: nothing written, stored or sent") }
        for path in run.written { out.append("wrote \(path)") }
        return out
    }

    static func json(_ run: SummaryRun, deadline: String) -> String {
        let plan = run.plan
        var root = JSONLine()
        root.add("ebcCode", plan.ebcCode)
        root.add("period", plan.period.description)
        root.add("deadline", deadline)
        root.add("declarations", raw: "[" + plan.declarations.enumerated().map { index, d in
            var o = JSONLine()
            o.add("shipper", d.key.ebcCode)
            o.add("trafMode", d.key.trafMode)
            o.add("ownerCode", d.key.ownerCode)
            o.add("country", d.key.country)
            o.add("portCode", d.key.portCode)
            o.add("inventories", raw: "[" + d.inventories.map { i in
                var v = JSONLine()
                v.add("invtNo", i.invtNo)
                v.add("copNo", i.copNo)
                v.add("logisticsNo", i.logisticsNo)
                return v.line
            }.joined(separator: ",") + "]")
            o.add("lines", raw: "[" + d.lines.map { l in
                var v = JSONLine()
                v.add("country", l.key.country)
                v.add("gcode", l.key.gcode)
                v.add("currency", l.key.currency)
                v.add("unit", l.unit)
                v.add("quantity", l.quantity.description)
                v.add("declaredQuantity", l.declaredQuantity.description)
                v.add("value", l.value.description)
                v.add("inventoryLines", l.inventoryLines)
                return v.line
            }.joined(separator: ",") + "]")
            o.add("totals", raw: "[" + d.totals.map { t in
                var v = JSONLine()
                v.add("currency", t.currency)
                v.add("value", t.value.description)
                return v.line
            }.joined(separator: ",") + "]")
            if let a = run.applications.first(where: { $0.declaration == index }) {
                var v = JSONLine()
                v.add("copNo", a.copNo)
                v.add("messages", raw: "[" + a.messageGuids.map { "\"\($0)\"" }.joined(separator: ",") + "]")
                v.add("destinations", raw: "[" + a.destinations.map { "\"\($0)\"" }.joined(separator: ",") + "]")
                v.add("inventories", a.inventories)
                o.add("application", raw: v.line)
            }
            return o.line
        }.joined(separator: ",") + "]")
        root.add("exclusions", raw: "[" + plan.exclusions.map { e in
            var v = JSONLine()
            v.add("invtNo", e.invtNo)
            v.add("copNo", e.copNo)
            v.add("reason", e.reason.code)
            v.add("detail", e.reason.description)
            return v.line
        }.joined(separator: ",") + "]")
        root.add("written", strings: run.written)
        return root.line
    }
}
