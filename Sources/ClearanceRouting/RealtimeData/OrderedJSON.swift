/// A minimal JSON writer that keeps keys in the order given.
///
/// Customs verifies `signValue` over the JSON text of `payExchangeInfoHead` and
/// `payExchangeInfoLists` exactly as the platform wrote it, so the text must be reproducible byte for
/// byte: keys in the documented order, no spaces, `/` and non-ASCII characters left as they are (as
/// the Java JSON libraries customs' own demo code uses write them). `JSONEncoder` offers only
/// unordered or alphabetically sorted keys, hence this writer.
public enum OrderedJSON {
    /// One JSON value.
    public indirect enum Value: Sendable, Hashable {
        case string(String)
        /// A number, written as given (e.g. `"99.50"`): no round trip through `Double`.
        case number(String)
        case object([(String, Value)])
        case array([Value])

        public static func == (lhs: Value, rhs: Value) -> Bool { OrderedJSON.write(lhs) == OrderedJSON.write(rhs) }
        public func hash(into hasher: inout Hasher) { hasher.combine(OrderedJSON.write(self)) }
    }

    /// The compact text of `value`.
    public static func write(_ value: Value) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: Value, into out: inout String) {
        switch value {
        case .string(let text): quote(text, into: &out)
        case .number(let text): out += text
        case .object(let members):
            out += "{"
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { out += "," }
                quote(key, into: &out)
                out += ":"
                write(member, into: &out)
            }
            out += "}"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as short escapes or `\u00XX`. The one
    /// string escaper of the JSON Clearance writes by hand (the CLI's `JSONLine` uses it too).
    public static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
