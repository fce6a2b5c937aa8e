import CEBModel

/// A horizontal bar chart drawn on the server as inline SVG: no script, no external file, readable
/// without colour (each bar carries its label and count as text), and each bar a link to the rows
/// behind it when there is a page for them.
struct SVGBarChart {
    struct Bar {
        var label: String
        var count: Int
        var link: String?
    }

    var title: String
    var bars: [Bar]

    /// The chart's markup (labels and links escaped).
    var svg: String {
        let rowHeight = 28, labelWidth = 150, barWidth = 220, width = labelWidth + barWidth + 70
        let height = max(1, bars.count) * rowHeight + 8
        let most = max(1, bars.map(\.count).max() ?? 1)
        var out = "<svg class=\"chart\" role=\"img\" aria-label=\"\(XMLText.escape(title, attribute: true))\" viewBox=\"0 0 \(width) \(height)\" "
            + "width=\"\(width)\" height=\"\(height)\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(XMLText.escape(title, attribute: true))</title>"
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * rowHeight
            let length = bar.count == 0 ? 0 : max(2, bar.count * barWidth / most)
            var row = "<text x=\"\(labelWidth - 6)\" y=\"\(y + 18)\" text-anchor=\"end\" font-size=\"13\">\(XMLText.escape(bar.label, attribute: true))</text>"
                + "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(length)\" height=\"\(rowHeight - 10)\" fill=\"#3b6ea5\"/>"
                + "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 18)\" font-size=\"13\" class=\"count\">\(bar.count)</text>"
            if let link = bar.link { row = "<a href=\"\(XMLText.escape(link, attribute: true))\">\(row)</a>" }
            out += "<g class=\"bar\" data-label=\"\(XMLText.escape(bar.label, attribute: true))\" data-count=\"\(bar.count)\">\(row)</g>"
        }
        return out + "</svg>"
    }
}
