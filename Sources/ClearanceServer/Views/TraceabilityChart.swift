import CEBModel
import ClearanceStore

/// A shipment's traceability chain as a picture (来源可追溯、去向可查证、流程可视化): one row per
/// declaration, in the order they arrived — the document, where Clearance sent it, and what came back,
/// in order. Server-drawn SVG; every box is also text, and links to the message behind it.
struct TraceabilityChart {
    let timeline: ShipmentTimeline

    var svg: String {
        let rowHeight = 46, documentWidth = 190, destinationWidth = 150, receiptWidth = 96, gap = 26
        let rows = timeline.declarations
        let deliveries = Dictionary(grouping: timeline.deliveries, by: \.messageGuid)
        let receipts = Dictionary(grouping: timeline.receipts, by: \.referenceGuid)
        let widest = rows.map { (deliveries[$0.messageGuid]?.count ?? 0, receipts[$0.declarationGuid]?.count ?? 0) }
        let destinationsMost = max(1, widest.map(\.0).max() ?? 1), receiptsMost = max(1, widest.map(\.1).max() ?? 1)
        let width = documentWidth + gap + destinationsMost * (destinationWidth + 8) + gap + receiptsMost * (receiptWidth + 6)
        let height = max(1, rows.count) * rowHeight + 8
        var out = "<svg class=\"chart trace\" role=\"img\" aria-label=\"traceability\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" "
            + "height=\"\(height)\" xmlns=\"http://www.w3.org/2000/svg\"><title>traceability</title>"
        for (index, d) in rows.enumerated() {
            let y = 4 + index * rowHeight, mid = y + 18
            let number = d.invtNo ?? d.copNo ?? d.logisticsNo ?? d.orderNo ?? ""
            var row = box(x: 0, y: y, width: documentWidth, fill: "#dde6f0", lines: ["\(d.kind.rawValue) · \(d.status)", number],
                          link: "/ops/messages/\(d.messageGuid)")
            var x = documentWidth + gap
            let sent = deliveries[d.messageGuid] ?? []
            row += arrow(from: documentWidth, to: x, y: mid)
            for o in sent {
                let fill = o.status == .delivered ? "#cdeccd" : o.status == .dead ? "#f5d0d0" : "#f3ecc8"
                row += box(x: x, y: y, width: destinationWidth, fill: fill, lines: [o.destination, o.status.rawValue], link: nil)
                x += destinationWidth + 8
            }
            if sent.isEmpty {
                row += box(x: x, y: y, width: destinationWidth, fill: "#eeeeee", lines: ["—", ""], link: nil)
                x += destinationWidth + 8
            }
            x = documentWidth + gap + destinationsMost * (destinationWidth + 8) + gap
            row += arrow(from: x - gap, to: x, y: mid)
            for r in receipts[d.declarationGuid] ?? [] {
                let name = StatusNames.name(r.returnStatus)
                row += box(x: x, y: y, width: receiptWidth, fill: "#ffffff",
                           lines: [r.returnStatus, name == r.returnStatus ? "" : name], link: "/ops/messages/\(r.messageGuid)")
                x += receiptWidth + 6
            }
            out += "<g class=\"trace-row\" data-kind=\"\(d.kind.rawValue)\" data-destinations=\"\(escape(sent.map(\.destination).joined(separator: " ")))\" "
                + "data-receipts=\"\(escape((receipts[d.declarationGuid] ?? []).map(\.returnStatus).joined(separator: " ")))\">\(row)</g>"
        }
        return out + "</svg>"
    }

    private func box(x: Int, y: Int, width: Int, fill: String, lines: [String], link: String?) -> String {
        var g = "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"38\" rx=\"5\" fill=\"\(fill)\" stroke=\"#9aa7b4\"/>"
        for (i, line) in lines.enumerated() where !line.isEmpty {
            g += "<text x=\"\(x + 6)\" y=\"\(y + 15 + i * 15)\" font-size=\"12\"\(i == 0 ? " font-weight=\"600\"" : "")>\(escape(line))</text>"
        }
        return link.map { "<a href=\"\(escape($0))\">\(g)</a>" } ?? g
    }

    private func arrow(from: Int, to: Int, y: Int) -> String {
        "<path d=\"M\(from + 2) \(y + 1) H\(to - 4) m-5 -4 l5 4 l-5 4\" fill=\"none\" stroke=\"#5b6b7b\" stroke-width=\"1.5\"/>"
    }

    private func escape(_ text: String) -> String { XMLText.escape(text, attribute: true) }
}
