import CEBModel
import XMLStreaming

/// Finds, while the parser reads a stored message, the byte ranges a split needs: the value of the
/// root's `guid` attribute, every document's start and end, and any `ds:Signature` among the root's
/// children. Names are compared as the parser resolved them (namespace URI and local name), so the
/// prefixes a sender chose do not matter.
///
/// Offsets come from the parser (`bytesConsumed`, as ``XMLSignature/DocumentSigner`` uses it): at a
/// start tag it points inside or just past the tag, whose `<` is then the last one before it (a start
/// tag holds no other `<`); at an end tag it points just past its `>`. Each is checked against the
/// bytes (`<` followed by the element's qualified name; `>`), so a wrong offset fails the split instead
/// of cutting a document in two. Only the last bytes fed are kept (``window``): memory is one or two pieces.
final class DocumentBoundaryScanner: XMLEventHandler {
    /// Reads the parser's input offset (set once the parser exists).
    var offset: () -> Int = { 0 }
    /// Bytes `[windowBase, windowBase + window.count)` of the message: the piece being fed and the one before.
    private(set) var window: [UInt8] = []
    private(set) var windowBase = 0

    let documentElement: String
    /// Range of the root's `guid` attribute value.
    private(set) var guidValue: Range<Int>?
    /// Start (`<`) and end (past `>`) of every document, in order.
    private(set) var documents: [Range<Int>] = []
    /// Ranges of the root's `ds:Signature` children.
    private(set) var signatures: [Range<Int>] = []
    /// Whether a root child other than a document came before a document (the official order puts
    /// documents first; such a message is not split).
    private(set) var interleaved = false
    /// The first problem; the scan is then useless.
    private(set) var failure: String?

    private var openStart: Int?
    private var openKind: Kind?
    private var sawOtherChild = false

    private enum Kind { case document, signature, other }

    init(documentElement: String) {
        self.documentElement = documentElement
    }

    /// Adds `piece` (the next bytes of the message) to the window before the parser reads it.
    func willFeed(_ piece: [UInt8]) {
        let keep = min(window.count, 1 << 20)
        windowBase += window.count - keep
        window.removeFirst(window.count - keep)
        window += piece
    }

    func startElement(_ element: XMLStartElement) {
        guard failure == nil, element.depth <= 2 else { return }
        guard let start = tagStart(before: offset(), name: qualifiedName(element)) else {
            fail("no start tag found before offset \(offset())")
            return
        }
        if element.depth == 1 {
            guidValue = StartTagAttributes.valueRange(of: "guid", inTagAt: start - windowBase, in: window).map {
                ($0.lowerBound + windowBase)..<($0.upperBound + windowBase)
            }
            if guidValue == nil { fail("the root start tag has no guid attribute Clearance can rewrite") }
            return
        }
        let namespace = element.namespaceURI.string
        let local = element.localName.string
        if namespace == EnvelopeSpecs.cebNamespace && local == documentElement {
            openKind = .document
            if sawOtherChild { interleaved = true }
        } else if namespace == EnvelopeSpecs.dsigNamespace && local == EnvelopePart.signature.rawValue {
            openKind = .signature
            sawOtherChild = true
        } else {
            openKind = .other
            sawOtherChild = true
        }
        openStart = start
    }

    func endElement(symbol: Int32, depth: Int) {
        guard failure == nil, depth == 2, let start = openStart, let kind = openKind else { return }
        let end = offset()
        guard end > windowBase, end - windowBase <= window.count, window[end - windowBase - 1] == 0x3E else {
            fail("no end tag found before offset \(end)")
            return
        }
        switch kind {
        case .document: documents.append(start..<end)
        case .signature: signatures.append(start..<end)
        case .other: break
        }
        openStart = nil
        openKind = nil
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {}

    private func fail(_ why: String) {
        if failure == nil { failure = why }
    }

    private func qualifiedName(_ element: XMLStartElement) -> [UInt8] {
        (element.prefix.isNil ? [] : Array(element.prefix.bytes) + [0x3A]) + Array(element.localName.bytes)
    }

    /// The offset of the `<` that opens the start tag of `name`, the last `<` before `offset`.
    private func tagStart(before offset: Int, name: [UInt8]) -> Int? {
        let end = min(offset, windowBase + window.count) - windowBase
        guard end > 0, let lessThan = window[..<end].lastIndex(of: 0x3C) else { return nil }
        let after = lessThan + 1 + name.count
        guard after < window.count, window[(lessThan + 1)...].starts(with: name),
              [0x20, 0x09, 0x0A, 0x0D, 0x3E, 0x2F].contains(window[after]) else { return nil }
        return windowBase + lessThan
    }
}
