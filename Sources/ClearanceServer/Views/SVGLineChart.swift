import CEBModel

/// A time chart drawn on the server as inline SVG, like ``SVGBarChart``: no script, each point's value
/// in a `data-value` attribute and its label in a `<title>`, the whole chart a link to the rows behind it.
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        /// One value per slot; nil where there is nothing to show.
        var values: [Double?]
    }

    var title: String
    /// Slot labels, left to right (only some are drawn under the axis).
    var labels: [String]
    var series: [Series]
    /// The unit of the values (`min`, `s`, a count has none).
    var unit: String
    var link: String

    var svg: String {
        let width = 440, height = 200, left = 44, right = 8, top = 10, bottom = 40
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let highest = max(1, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let slots = max(1, labels.count)
        func x(_ i: Int) -> Int { left + (slots == 1 ? plotWidth / 2 : i * plotWidth / (slots - 1)) }
        func y(_ v: Double) -> Int { top + plotHeight - Int((v / highest * Double(plotHeight)).rounded()) }
        let esc = { (text: String) in XMLText.escape(text, attribute: true) }
        var out = "<a href=\"\(esc(link))\"><svg class=\"chart\" role=\"img\" aria-label=\"\(esc(title))\" viewBox=\"0 0 \(width) \(height)\" "
            + "width=\"\(width)\" height=\"\(height)\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(esc(title))</title>"
        out += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" stroke=\"#8a96a3\"/>"
        out += "<text x=\"\(left - 4)\" y=\"\(top + 10)\" text-anchor=\"end\" font-size=\"11\">\(Self.format(highest))\(esc(unit))</text>"
        out += "<text x=\"\(left - 4)\" y=\"\(top + plotHeight)\" text-anchor=\"end\" font-size=\"11\">0</text>"
        let step = max(1, slots / 4)
        for i in stride(from: 0, to: slots, by: step) where i < labels.count {
            out += "<text x=\"\(x(i))\" y=\"\(height - bottom + 14)\" text-anchor=\"middle\" font-size=\"10\">\(esc(labels[i]))</text>"
        }
        for (index, s) in series.enumerated() {
            var path = ""
            var points = ""
            for (i, value) in s.values.enumerated() {
                guard let value else { continue }
                path += (path.isEmpty ? "M" : " L") + "\(x(i)) \(y(value))"
                points += "<circle cx=\"\(x(i))\" cy=\"\(y(value))\" r=\"2.5\" fill=\"\(s.color)\" data-slot=\"\(i)\" data-value=\"\(Self.format(value))\">"
                    + "<title>\(esc(i < labels.count ? labels[i] : "")) \(esc(s.name)): \(Self.format(value))\(esc(unit))</title></circle>"
            }
            out += "<g class=\"series\" data-name=\"\(esc(s.name))\">"
            if !path.isEmpty { out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.5\"/>" }
            out += points
            out += "<rect x=\"\(left + index * 110)\" y=\"\(height - 16)\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
                + "<text x=\"\(left + index * 110 + 14)\" y=\"\(height - 7)\" font-size=\"11\">\(esc(s.name))</text></g>"
        }
        return out + "</svg></a>"
    }

    /// A value with at most one decimal (`12`, `3.5`).
    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
