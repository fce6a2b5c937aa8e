/// A fault in a JSON document, named by its JSON path (`$.OrderList[1].qty`), as the JSON face
/// answers it: the sender fixes the member the path names.
public struct JSONFieldIssue: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable code: `JSN010` unknown member, `JSN011` missing, `JSN012` wrong JSON type, `JSN013` a
    /// value the field's type cannot take, `JSN014` a message type the JSON face does not take; a rendered
    /// document's schema and rule findings keep their own codes (`SCH…`, `RUL…`).
    public var code: String
    /// JSONPath of the member at fault (`$` for the document itself).
    public var path: String
    /// What is wrong, in a sentence.
    public var message: String

    /// Creates an issue.
    public init(code: String, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(code) \(path): \(message)" }
}
