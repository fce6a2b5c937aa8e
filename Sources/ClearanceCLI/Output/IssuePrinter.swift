import CEBModel

/// Prints issues as `file:line:col: severity CODE …` lines or JSON lines.
struct IssuePrinter {
    let format: OutputFormat
    let output: OutputBuffer

    func print(_ issue: ValidationIssue, file: String) {
        switch format {
        case .text:
            var line = file
            if let row = issue.line { line += ":\(row)" + (issue.column.map { ":\($0)" } ?? "") }
            line += ": \(issue.severity.rawValue) \(issue.code)"
            var place: [String] = []
            if let index = issue.documentIndex { place.append("document \(index + 1)") }
            if let key = issue.key { place.append(key) }
            if let field = issue.field { place.append(field) }
            if !place.isEmpty { line += " [" + place.joined(separator: ", ") + "]" }
            output.line(line + " " + issue.message)
        case .json:
            var json = JSONLine()
            json.add("file", file)
            json.add("line", issue.line)
            json.add("column", issue.column)
            json.add("document", issue.documentIndex.map { $0 + 1 })
            json.add("key", issue.key)
            json.add("field", issue.field)
            json.add("severity", issue.severity.rawValue)
            json.add("code", issue.code)
            json.add("message", issue.message)
            output.line(json.line)
        }
    }
}
