import ClearanceRouting

/// Builds one JSON object as a line, without Foundation's encoder on hot paths.
struct JSONLine {
    private var text = "{"

    init() {}

    /// A command's closing line over its files: `{"summary":true,"files":N` and then what the
    /// command adds (scripts tell it from the per-file lines by `summary`).
    init(summaryOfFiles files: Int) {
        add("summary", raw: "true")
        add("files", files)
    }

    /// The document counts `validate` and `ingest` both close with, under the same keys.
    mutating func addDocumentCounts(documents: Int, invalid: Int, errors: Int, warnings: Int) {
        add("documents", documents)
        add("valid", documents - invalid)
        add("invalid", invalid)
        add("errors", errors)
        add("warnings", warnings)
    }

    mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        separate(key)
        Self.quote(value, into: &text)
    }

    mutating func add(_ key: String, _ value: Int?) {
        guard let value else { return }
        separate(key)
        text += String(value)
    }

    /// An array of strings, each quoted.
    mutating func add(_ key: String, strings values: [String]) {
        add(key, raw: "[" + values.map { value in
            var quoted = ""
            Self.quote(value, into: &quoted)
            return quoted
        }.joined(separator: ",") + "]")
    }

    mutating func add(_ key: String, raw value: String) {
        separate(key)
        text += value
    }

    private mutating func separate(_ key: String) {
        if text.count > 1 { text += "," }
        Self.quote(key, into: &text)
        text += ":"
    }

    var line: String { text + "}" }

    static func quote(_ value: String, into text: inout String) { OrderedJSON.quote(value, into: &text) }
}
