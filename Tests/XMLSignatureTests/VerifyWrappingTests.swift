import Foundation
import Testing
import XMLSignature
import XMLStreaming

/// Signature-wrapping attacks: what is verified is exactly the document root the service reads.
@Suite struct VerifyWrappingTests {
    static let signed = VerifyRefusalTests.signed
    static var signature: String {
        let start = signed.range(of: "<ds:Signature ")!.lowerBound, end = signed.range(of: "</ds:Signature>")!.upperBound
        return String(signed[start..<end])
    }
    static var unsignedText: String { signed.replacingOccurrences(of: signature, with: "") }

    @Test func duplicatedBusinessElementFails() {
        let text = Self.signed
        let start = text.range(of: "<ceb:Order>")!.lowerBound, end = text.range(of: "</ceb:Order>")!.upperBound
        let order = String(text[start..<end])
        let evil = order.replacingOccurrences(of: "199.00", with: "1.00")
        expectRefusal(text.replacingFirst(order, with: evil + order).bytes) { if case .digestMismatch = $0 { true } else { false } }
        expectRefusal(text.replacingFirst(order, with: order + evil).bytes) { if case .digestMismatch = $0 { true } else { false } }
    }

    @Test func originalContentMovedUnderANewRootFails() {
        // The classic wrap: a new root holding the attacker's order, the signed original hidden inside.
        let original = Self.signed.replacingFirst("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        let evil = "<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"><ceb:Order><ceb:OrderHead><ceb:orderNo>EVIL</ceb:orderNo></ceb:OrderHead></ceb:Order>"
            + "<ceb:Wrapper>\(original)</ceb:Wrapper>"
        // The signed original (its signature at depth 4) hidden in a wrapper, with or without a copy of the signature last.
        expectRefusal((evil + "\(Self.signature)</ceb:CEB311Message>").bytes) { $0 == .signatureNotChildOfRoot(depth: 4) }
        expectRefusal((evil + "</ceb:CEB311Message>").bytes) { $0 == .signatureNotChildOfRoot(depth: 4) }
        // The original moved after a new, unsigned root element's content, signature copied last.
        let original2 = Self.unsignedText.replacingFirst("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        let moved = "<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"><ceb:orderNo>EVIL</ceb:orderNo><ceb:Wrapper>\(original2)</ceb:Wrapper>\(Self.signature)</ceb:CEB311Message>"
        expectRefusal(moved.bytes) { if case .digestMismatch = $0 { true } else { false } }
    }

    @Test func movedSignatureFails() {
        let moved = Self.unsignedText.replacingFirst("</ceb:OrderHead>", with: "</ceb:OrderHead>" + Self.signature)
        expectRefusal(moved.bytes) { $0 == .signatureNotChildOfRoot(depth: 3) }
    }

    @Test func signatureNotLastFails() {
        let first = Self.unsignedText.replacingFirst("<ceb:Order>", with: Self.signature + "<ceb:Order>")
        expectRefusal(first.bytes) { $0 == .signatureNotLastChild }
        let text = Self.signed.replacingFirst("</ds:Signature>", with: "</ds:Signature>trailing text")
        expectRefusal(text.bytes) { $0 == .signatureNotLastChild }
        let comment = Self.signed.replacingFirst("</ds:Signature>", with: "</ds:Signature><!-- x -->")
        expectRefusal(comment.bytes) { $0 == .signatureNotLastChild }
        // Comments after the root are outside the signed content (URI="" drops comments); PIs are not.
        let after = Self.signed + "<!-- after the root -->\n"
        #expect(throws: Never.self) { try PKI.verifier.verify(bytes: after.bytes) }
        expectRefusal((Self.signed + "<?pi after?>").bytes) { if case .digestMismatch = $0 { true } else { false } }
        // Whitespace after the signature is allowed structurally, but it is part of the signed content.
        let spaced = Self.signed.replacingFirst("</ds:Signature>", with: "</ds:Signature>\n  ")
        expectRefusal(spaced.bytes) { if case .digestMismatch = $0 { true } else { false } }
    }

    @Test func secondSignatureFails() {
        let twice = Self.signed.replacingFirst("</ds:Signature>", with: "</ds:Signature>" + Self.signature)
        expectRefusal(twice.bytes) { $0 == .multipleSignatures }
        let nested = Self.signed.replacingFirst("</ceb:OrderHead>", with: "</ceb:OrderHead>" + Self.signature)
        expectRefusal(nested.bytes) { $0 == .signatureNotChildOfRoot(depth: 3) }
    }

    @Test func signatureAsRootFails() {
        expectRefusal(Self.signature.bytes) { $0 == .signatureNotChildOfRoot(depth: 1) }
    }

    /// In the shared-parse mode the decoder sees a document that was verified as a whole: an attacker's
    /// extra order fails verification, so the decoded content is never trusted.
    @Test func sharedParseRefusesWhatTheDecoderWouldRead() throws {
        final class OrderNumbers: XMLEventHandler {
            var inOrderNo = false
            var numbers: [String] = []
            func startElement(_ element: XMLStartElement) {
                inOrderNo = element.localName.string == "orderNo"
                if inOrderNo { numbers.append("") }
            }
            func endElement(symbol: Int32, depth: Int) { inOrderNo = false }
            func characters(_ text: UnsafeBufferPointer<UInt8>) {
                if inOrderNo { numbers[numbers.count - 1] += String(decoding: text, as: UTF8.self) }
            }
        }
        let injected = Self.signed.replacingFirst("<ceb:Order>", with: "<ceb:Order><ceb:OrderHead><ceb:orderNo>EVIL</ceb:orderNo></ceb:OrderHead>")
        let decoder = OrderNumbers()
        let verification = PKI.verifier.verification(forwardingTo: decoder)
        let parser = XMLPushParser(handler: verification)
        try parser.feed(injected.bytes)
        try parser.finish()
        #expect(decoder.numbers == ["EVIL", "ORD-2026-0001"])
        #expect(throws: VerificationFailure.self) { try verification.result() }
    }
}
