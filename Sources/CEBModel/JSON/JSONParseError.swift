/// Why a JSON text was refused, with the byte offset where it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable code: `JSN001` not JSON, `JSN002` past a limit (depth, size), `JSN003` a duplicate key.
    public let code: String
    /// Byte offset into the text.
    public let offset: Int
    /// What is wrong.
    public let message: String

    public var description: String { "\(code) at byte \(offset): \(message)" }
}
