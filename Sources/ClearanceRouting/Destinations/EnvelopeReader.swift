import Foundation
import XMLStreaming

/// Reads a `dxp:DxpMsg` envelope with the hardened streaming parser: the fields of
/// ``TransportEnvelope/Info`` and the base64 text of `dxp:Data`, each only from elements in the
/// dxp namespace (the schema's `elementFormDefault="qualified"`), whatever their prefix.
///
/// A parse instead of pattern matching on the text: comments, CDATA sections, character
/// references and other prefixes read as XML says, a malformed envelope is refused with the
/// parser's position, and the payload's base64 (most of the envelope) is copied once, byte by
/// byte, instead of going through `String` and a regular expression for each field.
final class EnvelopeReader: XMLEventHandler {
    /// The envelope's element names, and its namespace, as the parser's symbols.
    private enum Symbol: Int32 {
        case dxpMsg, copMsgId, senderId, receiverId, msgType, fileName, data, namespace
    }

    private static let vocabulary = XMLVocabulary([
        "DxpMsg", "CopMsgId", "SenderId", "ReceiverId", "MsgType", "FileName", "Data", TransportEnvelope.namespace,
    ])

    /// `ReceiverIds/ReceiverId maxOccurs="5"` in customs' `terminal.xsd`; more are refused, not collected.
    static let maxReceivers = 5

    private var rootSeen = false
    private var rootIsEnvelope = false
    /// The field being read, and its depth.
    private var field: Symbol?
    private var fieldDepth = 0
    private var text: [UInt8] = []
    /// Set when a field holds an element: refused after the parse.
    private var misplaced: String?
    /// The first field found twice: `terminal.xsd` allows one of each but `dxp:ReceiverId`, and
    /// a receiver reading the first while a relay reads the last would see two messages in one.
    private var repeated: Symbol?
    private var seen: Set<Symbol> = []

    private var copMsgId: String?
    private var senderId: String?
    private var receiverIds: [String] = []
    private var messageType: String?
    private var fileName: String?
    private var data: [UInt8]?

    /// The facts and payload of `bytes`.
    /// - Throws: ``EnvelopeError`` for XML that does not parse, a root other than `dxp:DxpMsg`,
    ///   a missing `dxp:Data` or data that is not base64.
    static func read(_ bytes: [UInt8]) throws(EnvelopeError) -> (info: TransportEnvelope.Info, message: [UInt8]) {
        let reader = EnvelopeReader()
        // The payload is one text node as large as the envelope (at most 64 MiB, checked before).
        let limits = XMLLimits(maxTextLength: 64 << 20)
        let parser = XMLPushParser(vocabulary: vocabulary, limits: limits, handler: reader)
        do {
            try parser.feed(bytes)
            try parser.finish()
        } catch {
            throw EnvelopeError("not well-formed XML: \(error)")
        }
        guard reader.rootIsEnvelope else { throw EnvelopeError("the root element is not dxp:DxpMsg in \(TransportEnvelope.namespace)") }
        if let misplaced = reader.misplaced { throw EnvelopeError(misplaced) }
        if let repeated = reader.repeated {
            throw EnvelopeError("dxp:\(vocabulary.names[Int(repeated.rawValue)]) appears more than once (terminal.xsd allows one)")
        }
        guard reader.receiverIds.count <= maxReceivers else {
            throw EnvelopeError("more than \(maxReceivers) dxp:ReceiverId (terminal.xsd allows \(maxReceivers))")
        }
        guard let data = reader.data else { throw EnvelopeError("dxp:Data is missing") }
        guard let payload = Data(base64Encoded: Data(data)) else { throw EnvelopeError("dxp:Data is not base64") }
        let type = reader.messageType ?? ""
        let info = TransportEnvelope.Info(
            copMsgId: reader.copMsgId ?? "", senderId: reader.senderId ?? "", receiverIds: reader.receiverIds,
            messageType: type.hasSuffix("Message") ? String(type.dropLast(7)) : type, fileName: reader.fileName)
        return (info, Array(payload))
    }

    func startElement(_ element: XMLStartElement) {
        let inNamespace = element.namespaceSymbol == Symbol.namespace.rawValue
        if !rootSeen {
            rootSeen = true
            rootIsEnvelope = inNamespace && element.symbol == Symbol.dxpMsg.rawValue
            return
        }
        if let field {
            if misplaced == nil { misplaced = "dxp:\(Self.vocabulary.names[Int(field.rawValue)]) holds an element" }
            return
        }
        guard rootIsEnvelope, inNamespace, let symbol = Symbol(rawValue: element.symbol), symbol != .dxpMsg, symbol != .namespace else { return }
        if symbol != .receiverId, !seen.insert(symbol).inserted, repeated == nil { repeated = symbol }
        field = symbol
        fieldDepth = element.depth
        text.removeAll(keepingCapacity: true)
    }

    func characters(_ piece: UnsafeBufferPointer<UInt8>) {
        guard let field else { return }
        if field == .data {
            // base64Binary allows whitespace between characters; Foundation's decoder does not.
            text.append(contentsOf: piece.lazy.filter { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) })
        } else {
            text.append(contentsOf: piece)
        }
    }

    func endElement(symbol: Int32, depth: Int) {
        guard let field, depth == fieldDepth else { return }
        self.field = nil
        if field == .data {
            // A second dxp:Data is refused after the parse; the first is kept until then.
            if data == nil { data = text }
            text = []
            return
        }
        let value = String(decoding: text, as: UTF8.self)
        switch field {
        case .copMsgId: if copMsgId == nil { copMsgId = value }
        case .senderId: if senderId == nil { senderId = value }
        case .receiverId: if receiverIds.count <= Self.maxReceivers { receiverIds.append(value) }  // one past the bound: refused
        case .msgType: if messageType == nil { messageType = value }
        case .fileName: if fileName == nil { fileName = value }
        case .data, .dxpMsg, .namespace: break
        }
    }
}
