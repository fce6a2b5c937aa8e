/// A position in the input, 1-based, as libxml2 counts it (columns in characters).
public struct XMLPosition: Sendable, Equatable, CustomStringConvertible {
    /// Line, from 1.
    public var line: Int
    /// Column, from 1.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Why the streaming parser refused a document. The parser stops at the first one.
public struct XMLStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// Not well-formed XML; the text is libxml2's diagnosis.
        case malformed(String)
        /// Bytes that are not valid in the declared encoding, or an unsupported encoding.
        case encoding(String)
        /// A document type declaration: refused outright (no DTD, no entities, no XXE).
        case doctypeForbidden
        /// An entity declaration or reference other than the five predefined ones.
        case entityForbidden(String)
        /// Nesting deeper than ``XMLLimits/maxDepth``.
        case depthLimit(Int)
        /// A text node longer than ``XMLLimits/maxTextLength``.
        case textLimit(Int)
        /// More attributes on one element than ``XMLLimits/maxAttributes``.
        case attributeCountLimit(Int)
        /// An attribute value longer than ``XMLLimits/maxAttributeLength``.
        case attributeLengthLimit(Int)
        /// An unfinished token holding more than ``XMLLimits/maxPendingBytes``.
        case pendingLimit(Int)
        /// A start tag longer than ``XMLLimits/maxStartTagBytes``.
        case startTagLimit(Int)
        /// The input ended before the document did.
        case truncated
        /// Reading the input failed.
        case io(String)
    }

    /// What went wrong.
    public var reason: Reason
    /// Where, when known (I/O errors have none).
    public var position: XMLPosition?

    /// Creates an error.
    public init(_ reason: Reason, at position: XMLPosition?) {
        self.reason = reason
        self.position = position
    }

    /// A stable code for reports: `XML001`…
    public var code: String {
        switch reason {
        case .malformed: "XML001"
        case .encoding: "XML002"
        case .doctypeForbidden: "XML003"
        case .entityForbidden: "XML004"
        case .depthLimit: "XML005"
        case .textLimit: "XML006"
        case .attributeCountLimit: "XML007"
        case .attributeLengthLimit: "XML008"
        case .pendingLimit: "XML009"
        case .truncated: "XML010"
        case .io: "XML011"
        case .startTagLimit: "XML012"
        }
    }

    /// A sentence a person can act on.
    public var message: String {
        switch reason {
        case .malformed(let why): "the XML is not well-formed: \(why)"
        case .encoding(let why): "the bytes do not match the declared encoding: \(why)"
        case .doctypeForbidden: "a DOCTYPE declaration is not allowed in a CEB message"
        case .entityForbidden(let name): "entity '\(name)' is not allowed: only the five predefined XML entities may be used"
        case .depthLimit(let max): "elements are nested deeper than \(max) levels"
        case .textLimit(let max): "a text value is longer than \(max) bytes"
        case .attributeCountLimit(let max): "an element has more than \(max) attributes"
        case .attributeLengthLimit(let max): "an attribute value is longer than \(max) bytes"
        case .pendingLimit(let max): "a single tag or text runs past \(max) bytes without ending"
        case .truncated: "the document ends before its root element is closed"
        case .io(let why): "the input could not be read: \(why)"
        case .startTagLimit(let max): "a start tag is longer than \(max) bytes"
        }
    }

    public var description: String {
        if let position { return "\(position): \(code) \(message)" }
        return "\(code) \(message)"
    }
}
