/// Bounds the parser enforces on untrusted input. Every refusal is an ``XMLStreamError``
/// with a position, never a crash or an unbounded allocation.
public struct XMLLimits: Sendable, Equatable {
    /// Deepest element nesting accepted. CEB messages nest about five levels.
    public var maxDepth: Int
    /// Longest single text node, in bytes of UTF-8.
    public var maxTextLength: Int
    /// Most attributes (namespace declarations included) on one element. Counted before
    /// libxml2 reads the start tag (see ``maxStartTagBytes``).
    public var maxAttributes: Int
    /// Longest attribute value, in bytes of UTF-8.
    public var maxAttributeLength: Int
    /// Longest start tag, `<` to `>`, in bytes of input (code units × 2 in UTF-16). Checked
    /// before libxml2 reads the tag, whose duplicate-attribute check is quadratic. Real CEB
    /// start tags stay under 200 bytes (the root's namespace declarations); one attribute of
    /// ``maxAttributeLength`` fits with room to spare.
    public var maxStartTagBytes: Int
    /// Most bytes the parser may hold without completing a token (a start tag or text
    /// node that never ends). Bounds libxml2's own input buffer.
    public var maxPendingBytes: Int

    /// Defaults sized for CEB traffic: generous for real messages, tight for attacks.
    public init(
        maxDepth: Int = 64,
        maxTextLength: Int = 1 << 20,
        maxAttributes: Int = 32,
        maxAttributeLength: Int = 16 << 10,
        maxStartTagBytes: Int = 64 << 10,
        maxPendingBytes: Int = 8 << 20
    ) {
        self.maxDepth = maxDepth
        self.maxTextLength = maxTextLength
        self.maxAttributes = maxAttributes
        self.maxAttributeLength = maxAttributeLength
        self.maxStartTagBytes = maxStartTagBytes
        self.maxPendingBytes = maxPendingBytes
    }

    /// The defaults.
    public static let standard = XMLLimits()
}
