import XMLStreaming

/// Forwards every parser event to two handlers, in order: one parse feeds, for example, a
/// ``StreamingCanonicalizer`` and a business decoder, so what is digested is exactly what is read.
public final class XMLEventTee: XMLEventHandler {
    /// Receives each event first.
    public let first: any XMLEventHandler
    /// Receives each event second.
    public let second: any XMLEventHandler

    /// A tee to `first`, then `second`.
    public init(_ first: any XMLEventHandler, _ second: any XMLEventHandler) {
        self.first = first
        self.second = second
    }

    public func startElement(_ element: XMLStartElement) {
        first.startElement(element)
        second.startElement(element)
    }

    public func endElement(symbol: Int32, depth: Int) {
        first.endElement(symbol: symbol, depth: depth)
        second.endElement(symbol: symbol, depth: depth)
    }

    public func characters(_ text: UnsafeBufferPointer<UInt8>) {
        first.characters(text)
        second.characters(text)
    }

    public func comment(_ text: UnsafeBufferPointer<UInt8>) {
        first.comment(text)
        second.comment(text)
    }

    public func processingInstruction(target: String, data: String) {
        first.processingInstruction(target: target, data: data)
        second.processingInstruction(target: target, data: data)
    }
}
