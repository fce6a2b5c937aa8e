import ClearanceTestSupport
import ClearanceRouting
import Foundation
import Testing
import XMLSignature

/// dxp envelope, atomic spool writes, inbox pick-up, signing for a destination, backoff.
@Suite struct TransportTests {
    @Test func envelopeRoundTrip() throws {
        let message = try Repository.sample("CEB311-order.xml")
        let wrapped = TransportEnvelope.wrap(
            message: message, copMsgId: "G-1", senderId: "DXPENT0000000001", receiverId: "DXPEDCCEB0000001", messageType: "CEB311", fileName: "CEB311_G-1.xml")
        #expect(TransportEnvelope.isEnvelope(wrapped))
        #expect(!TransportEnvelope.isEnvelope(message))
        let (info, payload) = try TransportEnvelope.unwrap(wrapped)
        #expect(payload == message)
        #expect(info.copMsgId == "G-1")
        #expect(info.receiverIds == ["DXPEDCCEB0000001"])
        #expect(info.messageType == "CEB311")
        #expect(info.fileName == "CEB311_G-1.xml")
        #expect(throws: EnvelopeError.self) { try TransportEnvelope.unwrap(Array("<dxp:DxpMsg xmlns:dxp=\"x\"></dxp:DxpMsg>".utf8)) }
    }

    /// An envelope is read as XML, not as text patterns: any prefix (or the default namespace)
    /// for the dxp namespace, base64 split by whitespace, comments and CDATA sections inside a
    /// field, character references in a value. Elements of other namespaces are not the envelope's.
    @Test func envelopeIsReadAsXML() throws {
        let payload = Array("<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"/>".utf8)
        let base64 = Data(payload).base64EncodedString()
        let half = base64.index(base64.startIndex, offsetBy: 20)
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- <dxp:Data>AAAA</dxp:Data> -->
            <DxpMsg ver="1.0" xmlns="http://www.chinaport.gov.cn/dxp" xmlns:o="urn:other">
            <TransInfo><CopMsgId>G&#x2D;2</CopMsgId><o:SenderId>FORGED</o:SenderId><SenderId>A&amp;B</SenderId>
            <ReceiverIds><ReceiverId>R1</ReceiverId><ReceiverId><![CDATA[R2]]></ReceiverId></ReceiverIds>
            <MsgType>CEB311Message</MsgType></TransInfo>
            <Data>\(base64[..<half])<!-- split -->
              \(base64[half...])</Data>
            </DxpMsg>
            """
        let (info, message) = try TransportEnvelope.unwrap(Array(text.utf8))
        #expect(message == payload)
        #expect(info.copMsgId == "G-2")
        #expect(info.senderId == "A&B")
        #expect(info.receiverIds == ["R1", "R2"])
        #expect(info.messageType == "CEB311")
        #expect(info.fileName == nil)
    }

    /// A large payload is one text node of many megabytes: read whole, in pieces, within the limits.
    @Test func aLargePayloadUnwraps() throws {
        var payload = Array("<ceb:CEB621Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">".utf8)
        payload += [UInt8](repeating: UInt8(ascii: "x"), count: 12 << 20)
        payload += Array("</ceb:CEB621Message>".utf8)
        let wrapped = TransportEnvelope.wrap(message: payload, copMsgId: "G-3", senderId: "S", receiverId: "R", messageType: "CEB621")
        #expect(wrapped.count > 16 << 20)  // past the default text (1 MiB) and pending (8 MiB) limits
        let (info, message) = try TransportEnvelope.unwrap(wrapped)
        #expect(message == payload)
        #expect(info.messageType == "CEB621")
    }

    /// What is not a readable envelope is refused with the reason (and the parser's position
    /// when the XML itself is broken), never read as far as a pattern happens to match.
    @Test(arguments: [
        ("<dxp:DxpMsg xmlns:dxp=\"urn:not-dxp\"><dxp:Data>QUJD</dxp:Data></dxp:DxpMsg>", "root element is not dxp:DxpMsg"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><Data>QUJD</Data></dxp:DxpMsg>", "dxp:Data is missing"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:Data>QU<b/>JD</dxp:Data></dxp:DxpMsg>", "dxp:Data holds an element"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:Data>QU*JD</dxp:Data></dxp:DxpMsg>", "not base64"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:Data>QUJD</dxp:Data>", "not well-formed XML"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:Data>QUJD</dxp:Dat></dxp:DxpMsg>", "line 1"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:ReceiverIds>"
            + String(repeating: "<dxp:ReceiverId>R</dxp:ReceiverId>", count: 6) + "</dxp:ReceiverIds><dxp:Data>QUJD</dxp:Data></dxp:DxpMsg>",
         "more than 5 dxp:ReceiverId"),
        // One of each field but the receivers: a reader taking the first and one taking the last
        // would otherwise see different messages in the same envelope.
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:Data>QUJD</dxp:Data><dxp:Data>REVG</dxp:Data></dxp:DxpMsg>",
         "dxp:Data appears more than once"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:SenderId>A</dxp:SenderId><dxp:SenderId>B</dxp:SenderId><dxp:Data>QUJD</dxp:Data></dxp:DxpMsg>",
         "dxp:SenderId appears more than once"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:CopMsgId>1</dxp:CopMsgId><dxp:Data>QUJD</dxp:Data><dxp:CopMsgId>2</dxp:CopMsgId></dxp:DxpMsg>",
         "dxp:CopMsgId appears more than once"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:MsgType>CEB311Message</dxp:MsgType><dxp:MsgType>CEB621Message</dxp:MsgType><dxp:Data>QUJD</dxp:Data></dxp:DxpMsg>",
         "dxp:MsgType appears more than once"),
        ("<dxp:DxpMsg xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"><dxp:FileName>a</dxp:FileName><dxp:FileName>b</dxp:FileName><dxp:Data>QUJD</dxp:Data></dxp:DxpMsg>",
         "dxp:FileName appears more than once"),
    ])
    func unreadableEnvelopesAreRefused(text: String, reason: String) {
        #expect {
            try TransportEnvelope.unwrap(Array(text.utf8))
        } throws: { error in
            (error as? EnvelopeError)?.description.contains(reason) == true
        }
    }

    /// The root element's local name decides, whatever its prefix or what comes before it.
    @Test(arguments: [
        ("<?xml version=\"1.0\"?>\n<dxp:DxpMsg xmlns:dxp=\"x\">", true),
        ("<DxpMsg>", true),
        ("<!-- <ceb:CEB311Message> --><a:DxpMsg\n xmlns:a=\"x\">", true),
        ("<!DOCTYPE x><?pi x?><DxpMsg/>", true),
        ("<?xml version=\"1.0\"?><ceb:CEB311Message><!-- <dxp:DxpMsg> -->", false),
        ("<ceb:DxpMsgs>", false),
        ("<DxpMsg", false),
        ("<!-- <DxpMsg> unterminated", false),
        ("", false),
    ])
    func envelopeIsKnownByItsRootElement(text: String, isEnvelope: Bool) {
        #expect(TransportEnvelope.isEnvelope(Array(text.utf8)) == isEnvelope)
    }

    @Test func spoolWritesAreAtomicAndIdempotentPerGuid() throws {
        let dir = scratchDirectory("spool")
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        try SpoolWriter.write(big, directory: dir, fileName: "CEB621_A.xml")
        try SpoolWriter.write(big, directory: dir, fileName: "CEB621_A.xml")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(names == ["CEB621_A.xml"], "no temporary file left, one file per guid")
        #expect(FileManager.default.contents(atPath: dir + "/CEB621_A.xml")?.count == big.count)
        let inbox = SpoolInbox(directory: dir)
        try Data("partial".utf8).write(to: URL(fileURLWithPath: dir + "/.CEB621_B.xml.123.tmp"))
        #expect(inbox.pending() == [dir + "/CEB621_A.xml"], "hidden temporary files are never picked up")
        inbox.finish(dir + "/CEB621_A.xml", failed: false)
        #expect(inbox.pending().isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir + "/processed/CEB621_A.xml"))
    }

    @Test func concurrentWritersNeverExposeAPartialFile() async throws {
        let dir = scratchDirectory("spool-race")
        let content = (0..<50).map { [UInt8](repeating: UInt8(65 + $0 % 26), count: 200_000) }
        await withTaskGroup(of: Void.self) { group in
            for bytes in content {
                group.addTask { try? SpoolWriter.write(bytes, directory: dir, fileName: "same.xml") }
            }
            group.addTask {
                for _ in 0..<200 {
                    if let data = FileManager.default.contents(atPath: dir + "/same.xml") {
                        #expect(data.count == 200_000)
                        #expect(Set(data).count == 1, "a reader sees one whole version, never a mix")
                    }
                }
            }
        }
    }

    @Test func preparerSignsInTheDestinationProfileAndWraps() throws {
        let (key, cert) = FlowFixtures.serviceKey
        let preparer = OutboundPreparer(key: key, certificate: cert, senderId: "DXPENT0000000001")
        let raw = try Repository.sample("CEB311-order.xml")
        let destination = DestinationConfig(name: "d", transport: .spool(.init(outbox: "/tmp/x")), profile: .standard, envelope: .dxp, receiverId: "R")
        let out = try preparer.prepare(raw: raw, guid: "G", messageType: "CEB311", for: destination)
        let (_, signed) = try TransportEnvelope.unwrap(out.bytes)
        let text = String(decoding: signed, as: UTF8.self)
        #expect(text.contains("<ds:Signature"))
        let trust = try TrustStore(pinned: [cert])
        let result = try SignatureVerifier(policy: SignaturePolicy(trustStore: trust)).verify(bytes: signed)
        #expect(result.profile == .standard)
        // Already-signed messages are forwarded with the sender's signature.
        let again = try preparer.prepare(raw: signed, guid: "G", messageType: "CEB311",
                                         for: DestinationConfig(name: "n", transport: .spool(.init(outbox: "/tmp/x")), envelope: .none))
        #expect(again.bytes == signed)
    }

    @Test func backoffIsExponentialCappedAndJittered() {
        let policy = DeliveryPolicy(baseDelaySeconds: 1, maxDelaySeconds: 60, jitter: 0.5)
        #expect(policy.retryDelay(afterAttempts: 1, random: 0) == 1)
        #expect(policy.retryDelay(afterAttempts: 4, random: 0) == 8)
        #expect(policy.retryDelay(afterAttempts: 20, random: 0) == 60)
        #expect(policy.retryDelay(afterAttempts: 4, random: 0.999) > 4)
        #expect(policy.retryDelay(afterAttempts: 4, random: 0.999) < 8)
    }
}
