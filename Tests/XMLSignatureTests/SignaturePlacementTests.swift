import Foundation
import Testing
import XMLSignature

/// A signature placed before named trailing root children (export CEB messages: `ds:Signature`, then
/// `ceb:ExtendMessage`): where the signer puts it, what the verifier accepts after it and what it
/// still refuses, and xmlsec1 (the reference implementation) verifying such a signature.
@Suite struct SignaturePlacementTests {
    static let extend = ElementName(namespace: "http://www.chinaport.gov.cn/ceb", localName: "ExtendMessage")
    static let extendBlock = """
          <ceb:ExtendMessage>
            <ceb:name>INSP</ceb:name>
            <ceb:version>1.0</ceb:version>
            <ceb:Message><InspOrder><inspOrgCode>350100</inspOrgCode></InspOrder></ceb:Message>
          </ceb:ExtendMessage>

        """

    /// The order message with an `ExtendMessage` after its `BaseTransfer`.
    static func withExtend() -> [UInt8] {
        Messages.orderBytes(Messages.order().replacingOccurrences(of: "</ceb:CEB311Message>", with: extendBlock + "</ceb:CEB311Message>"))
    }

    static let lenient = SignatureVerifier(policy: PKI.policy { $0.elementsAllowedAfterSignature = [extend] })

    func sign(_ bytes: [UInt8], before: [ElementName] = [extend]) throws -> [UInt8] {
        try DocumentSigner(key: PKI.p256.key, certificate: PKI.p256.certificate).sign(bytes: bytes, before: before)
    }

    @Test func theSignatureGoesBeforeTheTrailingElementAndNothingElseChanges() throws {
        let unsigned = Self.withExtend()
        let signed = try sign(unsigned)
        let text = signed.text
        let signature = try #require(text.range(of: "<ds:Signature"))
        let extend = try #require(text.range(of: "<ceb:ExtendMessage>"))
        let transfer = try #require(text.range(of: "</ceb:BaseTransfer>"))
        #expect(transfer.upperBound <= signature.lowerBound && signature.lowerBound < extend.lowerBound)
        // Removing the signature gives the input back byte for byte.
        let end = try #require(text.range(of: "</ds:Signature>"))
        #expect(Array((String(text[..<signature.lowerBound]) + String(text[end.upperBound...])).utf8) == unsigned)
        let result = try Self.lenient.verify(bytes: signed)
        #expect(result.signer == PKI.p256.certificate)
    }

    @Test func theDefaultPolicyStillRefusesContentAfterTheSignature() throws {
        let signed = try sign(Self.withExtend())
        expectRefusal(signed) { $0 == .signatureNotLastChild }
    }

    @Test func withoutTheTrailingElementTheSignatureGoesLast() throws {
        let plain = Messages.orderBytes()
        let signed = try sign(plain)
        #expect(signed.text.contains("</ds:Signature></ceb:CEB311Message>"))
        _ = try PKI.verifier.verify(bytes: signed)
    }

    @Test func aTrailingNameFollowedByOtherChildrenDoesNotMoveTheSignature() throws {
        // ExtendMessage first, then the order: the root does not end with ExtendMessage.
        let text = Messages.order().replacingFirst("  <ceb:Order>", with: Self.extendBlock + "  <ceb:Order>")
        let signed = try sign(Messages.orderBytes(text))
        #expect(signed.text.contains("</ds:Signature></ceb:CEB311Message>"))
    }

    @Test func theTrailingElementIsSignedToo() throws {
        let signed = try sign(Self.withExtend())
        let tampered = Array(signed.text.replacingFirst("<inspOrgCode>350100<", with: "<inspOrgCode>999999<").utf8)
        expectRefusal(tampered, verifier: Self.lenient) { if case .digestMismatch = $0 { true } else { false } }
    }

    @Test func onlyTheAllowedElementsMayFollow() throws {
        let signed = try sign(Self.withExtend()).text
        // Another element after the signature (a wrapped copy of the order), text, a comment, a second signature.
        let wrapped = signed.replacingFirst("</ceb:CEB311Message>", with: "<ceb:Order><ceb:OrderHead/></ceb:Order></ceb:CEB311Message>")
        expectRefusal(Array(wrapped.utf8), verifier: Self.lenient) { $0 == .signatureNotLastChild }
        let text = signed.replacingFirst("</ceb:ExtendMessage>", with: "</ceb:ExtendMessage>extra")
        expectRefusal(Array(text.utf8), verifier: Self.lenient) { $0 == .signatureNotLastChild }
        let comment = signed.replacingFirst("</ceb:ExtendMessage>", with: "</ceb:ExtendMessage><!-- note -->")
        expectRefusal(Array(comment.utf8), verifier: Self.lenient) { $0 == .signatureNotLastChild }
        let signature = String(signed[signed.range(of: "<ds:Signature")!.lowerBound..<signed.range(of: "</ds:Signature>")!.upperBound])
        let second = signed.replacingFirst("<ceb:Message>", with: "<ceb:Message>" + signature)
        expectRefusal(Array(second.utf8), verifier: Self.lenient) { $0 == .multipleSignatures }
    }

    @Test func xmlsecVerifiesASignatureBeforeTheTrailingElement() throws {
        let scratch = try ScratchDirectory()
        let signed = try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate).sign(bytes: Self.withExtend(), before: [Self.extend])
        #expect(signed.text.contains("</ds:Signature>  <ceb:ExtendMessage>") || signed.text.contains("</ds:Signature><ceb:ExtendMessage>"))
        let ca = try scratch.write("ca.pem", PKI.rsaCA.certificate.pemRepresentation)
        let document = try scratch.write("signed.xml", signed)
        let verified = try xmlsec1(["--verify", "--trusted-pem", ca, document])
        #expect(verified.status == 0, "xmlsec1 refused: \(verified.output)")
        let tampered = try scratch.write("tampered.xml", signed.text.replacingFirst("<ceb:name>INSP<", with: "<ceb:name>XXXX<"))
        let refused = try xmlsec1(["--verify", "--trusted-pem", ca, tampered])
        #expect(refused.status != 0, "xmlsec1 accepted a tampered trailing element")
    }

    @Test func signingAFileTakesTheSamePlace() throws {
        let scratch = try ScratchDirectory()
        let input = try scratch.write("in.xml", Self.withExtend())
        let output = scratch.path("out.xml")
        let signer = try DocumentSigner(key: PKI.p256.key, certificate: PKI.p256.certificate)
        try signer.sign(inputPath: input, outputPath: output, before: [Self.extend], durable: false)
        let signed = try scratch.read("out.xml")
        #expect(signed.text.range(of: "<ds:Signature")!.lowerBound < signed.text.range(of: "<ceb:ExtendMessage>")!.lowerBound)
        _ = try Self.lenient.verify(bytes: signed)
    }
}
