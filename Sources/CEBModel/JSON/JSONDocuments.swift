/// The documents of a JSON request or file: one object, an array of objects, or JSON Lines (one
/// object per line, `application/x-ndjson`). Each document is parsed on its own, so one broken
/// line is reported with its number and the others still go through.
public enum JSONDocuments {
    /// One document: its 1-based position (line for JSON Lines, element for an array) and value or parse error.
    public struct Entry: Sendable {
        public let position: Int
        public let value: Result<JSONValue, JSONParseError>
    }

    /// Splits `bytes` into documents.
    public static func split(_ bytes: [UInt8]) -> [Entry] {
        switch Result(catching: { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(bytes) }) {
        case .success(.array(let elements)):
            return elements.enumerated().map { Entry(position: $0.offset + 1, value: .success($0.element)) }
        case .success(let value):
            return [Entry(position: 1, value: .success(value))]
        case .failure(let error):
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let nonEmpty = lines.enumerated().filter { !$0.element.allSatisfy { [0x20, 0x09, 0x0D].contains($0) } }
            guard nonEmpty.count > 1 else { return [Entry(position: 1, value: .failure(error))] }
            return nonEmpty.map { line in
                Entry(position: line.offset + 1, value: Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(Array(line.element)) })
            }
        }
    }
}
