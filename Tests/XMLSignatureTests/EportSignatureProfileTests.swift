import Foundation
import Testing
import XMLSignature

/// The two e-port profiles: what real senders send (checked against the genuine SM2 vector in
/// `shared/vectors/eport-sm2`), and signing the same way.
@Suite struct EportSignatureProfileTests {
    static let vectorSignedInfo = [UInt8](try! Fixtures.shared("vectors/eport-sm2/signed-info.c14n.xml"))
    static let vectorSignatureValue = try! Fixtures.sharedText("vectors/eport-sm2/signature-value.b64")
    static let vectorCertificate = try! Certificate(pem: Fixtures.sharedText("vectors/eport-sm2/signer-cert.pem"))

    /// Wraps base64 over indented lines, as e-port senders do.
    static func wrapped(_ base64: String) -> String {
        var lines: [String] = []
        var rest = Substring(base64.filter { !$0.isWhitespace })
        while !rest.isEmpty {
            lines.append("\n        " + rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return lines.joined() + "\n      "
    }

    /// A CEB message carrying the genuine e-port signature, its SignedInfo written non-canonically
    /// (empty-element tags, single quotes, whitespace in tags) and its base64 wrapped over indented lines.
    static func documentWithVectorSignature() -> [UInt8] {
        let signedInfo = vectorSignedInfo.text
            .replacingOccurrences(of: " xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"", with: "")
            .replacingOccurrences(of: "\"></ds:CanonicalizationMethod>", with: "\" />")
            .replacingOccurrences(of: "Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"></ds:DigestMethod>", with: "Algorithm='http://www.w3.org/2000/09/xmldsig#sha1'/>")
        let certificate = vectorCertificate.base64()
        return Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" guid="x" version="1.0"><ceb:Order><ceb:OrderHead><ceb:orderNo>unpublished</ceb:orderNo></ceb:OrderHead></ceb:Order><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\(signedInfo)
              <ds:SignatureValue>\(wrapped(vectorSignatureValue))</ds:SignatureValue>
              <ds:KeyInfo><ds:KeyName>03000000000cde6f</ds:KeyName><ds:X509Data><ds:X509Certificate>\(wrapped(certificate))</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
            </ds:Signature></ceb:CEB311Message>
            """.utf8)
    }

    /// The SignedInfo bytes the verifier computes from a document are exactly what the e-port key signed,
    /// in-scope namespaces of the root (ceb, xsi) included, and the genuine signature verifies over them.
    @Test func genuineSignedInfoIsReproducedAndItsSignatureVerifies() throws {
        let document = Self.documentWithVectorSignature()
        let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(pinned: [Self.vectorCertificate])))
        let signedInfo = try verifier.signedInfo(of: document)
        #expect(signedInfo == Self.vectorSignedInfo)
        try Self.vectorCertificate.publicKey.verify(
            signature: Base64.decode(Self.vectorSignatureValue), over: signedInfo, algorithm: .sm2SM3)
        // The whole document is not the one that was signed: verification fails on the SHA-1 digest, not before.
        expectRefusal(document, verifier: verifier) { $0 == .digestMismatch(.sha1, .inclusive) }
    }

    @Test func sm2EportProfileSignsLikeTheGenuineSender() throws {
        let signer = try DocumentSigner(key: PKI.sm2.key, certificate: PKI.sm2.certificate, profile: .eport)
        #expect(signer.signatureAlgorithm == .sm2SM3)
        #expect(signer.digestAlgorithm == .sha1)
        let signed = try signer.sign(bytes: Messages.orderBytes())
        let signedInfo = try PKI.verifier.signedInfo(of: signed).text
        // Byte for byte the genuine SignedInfo, but for the digest value.
        let genuine = Self.vectorSignedInfo.text
        let digest = { (text: String) in text.range(of: "<ds:DigestValue>")!.upperBound..<text.range(of: "</ds:DigestValue>")!.lowerBound }
        #expect(signedInfo.replacingCharacters(in: digest(signedInfo), with: "") == genuine.replacingCharacters(in: digest(genuine), with: ""))
        // Raw r || s, KeyName = serial.
        let text = signed.text
        let value = text[text.range(of: "<ds:SignatureValue>")!.upperBound..<text.range(of: "</ds:SignatureValue>")!.lowerBound]
        #expect(try Base64.decode(value).count == 64)
        #expect(text.contains("<ds:KeyName>03000000000cde6f</ds:KeyName>"))
        let result = try PKI.verifier.verify(bytes: signed)
        #expect(result.profile == .eport)
        #expect(result.warnings == [.weakDigest(.sha1)])
    }

    @Test func rsaEportProfileUsesRSASHA1() throws {
        let signer = try DocumentSigner(key: PKI.rsa1024.key, certificate: PKI.rsa1024.certificate, profile: .eport)
        let signed = try signer.sign(bytes: Messages.orderBytes()).text
        #expect(signed.contains("Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\""))
        #expect(signed.contains("<ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\">"))
        let result = try PKI.verifier.verify(bytes: signed.bytes)
        #expect(result.warnings.count == 3)
        #expect(result.profile == .eport)
    }

    @Test(arguments: [PKI.sm2, PKI.rsa1024])
    func wrappedBase64IsAccepted(signer: PKI.Signer) throws {
        let signed = try DocumentSigner(key: signer.key, certificate: signer.certificate, profile: .eport).sign(bytes: Messages.orderBytes()).text
        var rewrapped = signed
        for element in ["ds:SignatureValue", "ds:X509Certificate"] {
            let range = rewrapped.range(of: "<\(element)>")!.upperBound..<rewrapped.range(of: "</\(element)>")!.lowerBound
            rewrapped = rewrapped.replacingCharacters(in: range, with: Self.wrapped(String(rewrapped[range])))
        }
        #expect(rewrapped != signed)
        _ = try PKI.verifier.verify(bytes: rewrapped.bytes)
    }

    @Test(arguments: [PKI.sm2, PKI.rsa1024])
    func prettyPrintedAfterSigningFailsOnTheDigest(signer: PKI.Signer) throws {
        // Signed as one line, then pretty-printed by some tool on the way.
        let compact = Messages.order().replacingOccurrences(of: "\n *", with: "", options: .regularExpression)
        let signed = try DocumentSigner(key: signer.key, certificate: signer.certificate, profile: .eport).sign(bytes: compact.bytes).text
        _ = try PKI.verifier.verify(bytes: signed.bytes)
        let pretty = signed.replacingOccurrences(of: "><ceb:", with: ">\n  <ceb:")
        do {
            _ = try PKI.verifier.verify(bytes: pretty.bytes)
            Issue.record("pretty-printed document verified")
        } catch {
            #expect(error.reason == .digestMismatch(.sha1, .inclusive))
            #expect(error.message.contains("pretty-printing"))
        }
    }
}
