import Foundation
import XMLStreaming

/// Re-serializes SAX events as UTF-8 XML with personal data masked (see ``MaskedXMLWriter``).
///
/// Text is held until the next tag, one text node at most (the parser bounds it by
/// ``XMLLimits/maxTextLength``): a number split across several `characters` events (CDATA,
/// character references, libxml2's buffer boundaries) is masked as one.
final class MaskingEventHandler: XMLEventHandler {
    /// How the text of an element is masked.
    enum Kind {
        case idNumber, telephone
    }

    private let output: ([UInt8]) -> Void
    /// Serialized bytes not yet handed to `output`.
    private var pending: [UInt8] = []
    /// Whose documents are shown: nil for everyone's (ops), else the codes of one enterprise.
    private let visibleTo: Set<String>?
    /// A child of the root being held until it is known whether one of its parties is the viewer.
    private var document: (output: [UInt8], visible: Bool)?
    /// Local names of the open elements.
    private var openLocalNames: [String] = []

    /// Elements naming a party of a document: the viewer sees a document in which one of them holds its code.
    static let partyElements: Set<String> = [
        "copCode", "ebpCode", "ebcCode", "logisticsCode", "agentCode", "payCode", "assureCode", "areaCode",
        "emsCode", "operatorCode", "ownerCode", "declAgentCode",
    ]
    /// The qualified names of the open elements, for their end tags.
    private var openNames: [[UInt8]] = []
    /// Whether the last start tag still lacks its `>` (it becomes `/>` if the element is empty).
    private var startTagOpen = false
    /// The text since the last tag, decoded.
    private var text: [UInt8] = []
    /// The personal-data element the parser is in, and its depth.
    private var sensitive: (kind: Kind, depth: Int)?

    /// Hands bytes to `output` once this many are pending.
    static let flushThreshold = 64 << 10

    init(visibleTo: Set<String>? = nil, output: @escaping ([UInt8]) -> Void) {
        self.output = output
        self.visibleTo = visibleTo
        pending.append(contentsOf: #"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        pending.append(UInt8(ascii: "\n"))
    }

    /// Elements whose whole text is personal data, by local name. Field names in CEB messages
    /// (`buyerIdNumber`, `payerIdNumber`, `buyerTelephone`, `consigneeTelephone`,
    /// `ebcTelephone`, `telephone`) and any future `…IdNumber`, `…Telephone`, `…Mobile`.
    static func kind(ofElement localName: String) -> Kind? {
        let name = localName.lowercased()
        if name.hasSuffix("idnumber") { return .idNumber }
        if name.hasSuffix("phone") || name.hasSuffix("mobile") { return .telephone }
        return nil
    }

    func startElement(_ element: XMLStartElement) {
        closeStartTag()
        writeText()
        if visibleTo != nil, element.depth == 2 {
            // Held apart until its end: shown only if the viewer is one of its parties. What
            // precedes it (the root's start tag, whitespace) goes out as usual.
            flush()
            document = ([], false)
        }
        openLocalNames.append(element.localName.string ?? "")
        var name = Array(element.prefix.bytes)
        if !name.isEmpty { name.append(UInt8(ascii: ":")) }
        name.append(contentsOf: element.localName.bytes)
        pending.append(UInt8(ascii: "<"))
        pending.append(contentsOf: name)
        for index in 0..<element.namespaceCount {
            let namespace = element.namespace(at: index)
            pending.append(contentsOf: " xmlns".utf8)
            if !namespace.prefix.isNil {
                pending.append(UInt8(ascii: ":"))
                pending.append(contentsOf: namespace.prefix.bytes)
            }
            writeAttributeValue(Array(namespace.uri.bytes))
        }
        for index in 0..<element.attributeCount {
            let attribute = element.attribute(at: index)
            pending.append(UInt8(ascii: " "))
            if !attribute.prefix.isNil {
                pending.append(contentsOf: attribute.prefix.bytes)
                pending.append(UInt8(ascii: ":"))
            }
            pending.append(contentsOf: attribute.localName.bytes)
            var value = Array(attribute.value)
            PersonalDataScrubber.scrub(&value)
            writeAttributeValue(value)
        }
        startTagOpen = true
        openNames.append(name)
        if sensitive == nil, let kind = Self.kind(ofElement: element.localName.string ?? "") {
            sensitive = (kind, element.depth)
        }
    }

    func endElement(symbol: Int32, depth: Int) {
        writeText()
        let name = openNames.removeLast()
        if startTagOpen {
            pending.append(contentsOf: "/>".utf8)
            startTagOpen = false
        } else {
            pending.append(contentsOf: "</".utf8)
            pending.append(contentsOf: name)
            pending.append(UInt8(ascii: ">"))
        }
        if let sensitive, sensitive.depth == depth { self.sensitive = nil }
        openLocalNames.removeLast()
        if depth == 2, let held = document {
            document = nil
            pending = held.visible ? held.output + pending : []
        }
        if pending.count >= Self.flushThreshold { flush() }
    }


    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        closeStartTag()
        self.text.append(contentsOf: text)
    }

    /// Comments are dropped: free text nobody validates, where anything may hide.
    func comment(_ text: UnsafeBufferPointer<UInt8>) {}

    /// Processing instructions are dropped likewise.
    func processingInstruction(target: String, data: String) {}

    /// Hands what is pending to `output` (or, inside a held document, to the document).
    func flush() {
        guard !pending.isEmpty else { return }
        if document != nil {
            document?.output.append(contentsOf: pending)
        } else {
            output(pending)
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func closeStartTag() {
        guard startTagOpen else { return }
        pending.append(UInt8(ascii: ">"))
        startTagOpen = false
    }

    /// Writes the text since the last tag, masked, and forgets it.
    private func writeText() {
        guard !text.isEmpty else { return }
        if let visibleTo, document != nil, let name = openLocalNames.last, Self.partyElements.contains(name),
           visibleTo.contains(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
            document?.visible = true
        }
        switch sensitive?.kind {
        case .idNumber?:
            text = Array(BuyerIdentityMasker.maskIdNumber(String(decoding: text, as: UTF8.self)).utf8)
        case .telephone?:
            text = Array(BuyerIdentityMasker.maskTelephone(String(decoding: text, as: UTF8.self)).utf8)
        case nil:
            PersonalDataScrubber.scrub(&text)
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): pending.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): pending.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): pending.append(contentsOf: "&gt;".utf8)
            // A literal CR would come back as LF; the reference keeps it.
            case 0x0D: pending.append(contentsOf: "&#13;".utf8)
            default: pending.append(byte)
            }
        }
        text.removeAll(keepingCapacity: true)
    }

    /// Writes `="value"`, escaped so that it reads back as the same normalized value.
    private func writeAttributeValue(_ value: [UInt8]) {
        pending.append(contentsOf: "=\"".utf8)
        for byte in value {
            switch byte {
            case UInt8(ascii: "&"): pending.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): pending.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: "\""): pending.append(contentsOf: "&quot;".utf8)
            case 0x09: pending.append(contentsOf: "&#9;".utf8)
            case 0x0A: pending.append(contentsOf: "&#10;".utf8)
            case 0x0D: pending.append(contentsOf: "&#13;".utf8)
            default: pending.append(byte)
            }
        }
        pending.append(UInt8(ascii: "\""))
    }
}
