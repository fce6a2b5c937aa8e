/// CSV as the service and the CLI write it (RFC 4180, CRLF line ends): one place for quoting, and
/// for the guard against spreadsheet formulas (a field starting `=`, `+`, `-` or `@` gets a leading `'`).
public enum CSVText {
    public static func field(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    /// One record: its fields quoted as needed, joined, ended by CRLF.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
