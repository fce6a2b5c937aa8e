/// Indented XML text as the samples lay it out (two spaces a level), with text escaped; its
/// ``escape(_:attribute:)`` is the one XML escape of the code that writes XML as text.
public struct XMLText {
    private(set) var text = ""

    mutating func line(_ level: Int, _ content: String) {
        text += String(repeating: "  ", count: level) + content + "\n"
    }

    mutating func append(_ lines: String) { text += lines }

    /// `&`, `<`, `>` (and `"` in attributes) as entities; CR as a character reference, so that it
    /// survives XML's line-end normalisation.
    public static func escape(_ value: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for c in value.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
