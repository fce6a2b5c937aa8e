import CEBModel
import Foundation

/// The data-exchange transport envelope `dxp:DxpMsg` (namespace `http://www.chinaport.gov.cn/dxp`)
/// that carries a CEB message between the exchange platform and its clients.
///
/// Layout (element spellings per `shared/ceb-reference.md`, partly unconfirmed):
/// `dxp:TransInfo` (CopMsgId, SenderId, ReceiverIds/ReceiverId, CreatTime, MsgType), `dxp:Data`
/// (the CEB message, base64), `dxp:AddInfo` (FileName). The envelope's own signature is not
/// produced: the CEB message inside carries the XML signature.
public enum TransportEnvelope {
    /// The envelope namespace.
    public static let namespace = "http://www.chinaport.gov.cn/dxp"

    /// What an envelope says about its payload.
    public struct Info: Sendable, Hashable {
        public var copMsgId: String
        public var senderId: String
        public var receiverIds: [String]
        public var messageType: String
        public var fileName: String?
    }

    /// Wraps `message` for `receiverId`.
    public static func wrap(
        message: [UInt8], copMsgId: String, senderId: String, receiverId: String, messageType: String,
        createdAt: Date = Date(), fileName: String? = nil
    ) -> [UInt8] {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <dxp:DxpMsg ver="1.0" xmlns:dxp="\(namespace)">
            <dxp:TransInfo>
            <dxp:CopMsgId>\(XMLText.escape(copMsgId, attribute: false))</dxp:CopMsgId>
            <dxp:SenderId>\(XMLText.escape(senderId, attribute: false))</dxp:SenderId>
            <dxp:ReceiverIds><dxp:ReceiverId>\(XMLText.escape(receiverId, attribute: false))</dxp:ReceiverId></dxp:ReceiverIds>
            <dxp:CreatTime>\(timestamp(createdAt))</dxp:CreatTime>
            <dxp:MsgType>\(XMLText.escape(messageType, attribute: false))Message</dxp:MsgType>
            </dxp:TransInfo>
            <dxp:Data>\(Data(message).base64EncodedString())</dxp:Data>
            """
        if let fileName {
            xml += "\n<dxp:AddInfo><dxp:FileName>\(XMLText.escape(fileName, attribute: false))</dxp:FileName></dxp:AddInfo>"
        }
        xml += "\n</dxp:DxpMsg>\n"
        return Array(xml.utf8)
    }

    /// Whether `bytes` look like a `DxpMsg` (root element's local name), not a bare CEB message.
    /// A byte scan of the first 512 bytes past the XML declaration, comments and processing
    /// instructions: every single message asks, so no regular expression is compiled for it.
    public static func isEnvelope(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(512)
        var i = head.startIndex
        while let open = head[i...].firstIndex(of: UInt8(ascii: "<")) {
            let next = open + 1
            guard next < head.endIndex else { return false }
            if head[next...].starts(with: "!--".utf8) {
                // A comment ends at `-->` only (it may hold `<` and `>`).
                guard let close = head[(next + 3)...].firstRange(of: "-->".utf8) else { return false }
                i = close.upperBound
                continue
            }
            if head[next] == UInt8(ascii: "?") || head[next] == UInt8(ascii: "!") {
                // Declaration, processing instruction or DOCTYPE: skip past its `>`.
                guard let close = head[next...].firstIndex(of: UInt8(ascii: ">")) else { return false }
                i = close + 1
                continue
            }
            let name = head[next...].prefix { byte in
                !(byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D)
            }
            guard name.endIndex < head.endIndex else { return false }
            let local = name.lastIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name
            return local.elementsEqual("DxpMsg".utf8)
        }
        return false
    }

    /// The payload and facts of an envelope.
    /// - Throws: ``EnvelopeError`` when `bytes` is not a well-formed envelope with base64 data.
    public static func unwrap(_ bytes: [UInt8]) throws(EnvelopeError) -> (info: Info, message: [UInt8]) {
        guard bytes.count <= 64 << 20 else { throw EnvelopeError("envelope larger than 64 MiB") }
        guard isEnvelope(bytes) else { throw EnvelopeError("not a dxp:DxpMsg envelope") }
        return try EnvelopeReader.read(bytes)
    }

    static func timestamp(_ date: Date) -> String { ChinaTime.isoTime(date) }
}

/// A transport envelope that cannot be read.
public struct EnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "transport envelope: \(message)" }
}
