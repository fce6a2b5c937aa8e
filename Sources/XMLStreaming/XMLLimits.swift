/// Bounds the parser enforces on untrusted input. Every refusal is an ``XMLStreamError``
/// with a position, never a crash or an unbounded allocation.
public struct XMLLimits: Sendable, Equatable {
    /// Deepest element nesting accepted. CEB messages nest about five levels.
    public var maxDepth: Int
    /// Longest single text node, in bytes of UTF-8.
    public var maxTextLength: Int
    /// Most attributes (namespace declarations included) on one element.
    public var maxAttributes: Int
    /// Longest attribute value, in bytes of UTF-8.
    public var maxAttributeLength: Int
    /// Most bytes the parser may hold without completing a token (a start tag or text
    /// node that never ends). Bounds libxml2's own input buffer.
    public var maxPendingBytes: Int

    /// Defaults sized for CEB traffic: generous for real messages, tight for attacks.
    public init(
        maxDepth: Int = 64,
        maxTextLength: Int = 1 << 20,
        maxAttributes: Int = 32,
        maxAttributeLength: Int = 16 << 10,
        maxPendingBytes: Int = 8 << 20
    ) {
        self.maxDepth = maxDepth
        self.maxTextLength = maxTextLength
        self.maxAttributes = maxAttributes
        self.maxAttributeLength = maxAttributeLength
        self.maxPendingBytes = maxPendingBytes
    }

    /// The defaults.
    public static let standard = XMLLimits()
}
