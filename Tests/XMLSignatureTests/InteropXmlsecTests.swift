import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// Runs `xmlsec1`; records a failure (never a skip) when it is not installed.
func xmlsec1(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> (status: Int32, output: String) {
    guard let path = CommandRunner.which("xmlsec1") else {
        Issue.record("xmlsec1 is not on PATH: the interoperability tests need it (scripts/test.sh installs it: apt-get install -y xmlsec1)",
                     sourceLocation: sourceLocation)
        throw CocoaError(.executableNotLoadable)
    }
    let ran = try CommandRunner.runBlocking(path, arguments, timeout: 120)
    return (ran.status, ran.output)
}

/// Interoperability with the reference implementation (xmlsec1 over libxml2 + OpenSSL) and with the
/// OpenSSL command line for SM2.
@Suite(.serialized) struct InteropXmlsecTests {
    static let cases: [(KeyKind, SignatureProfile)] = [(.rsa(bits: 2048), .standard), (.rsa(bits: 1024), .eport), (.ecP256, .standard)]

    @Test(arguments: cases)
    func clearanceSignaturesVerifyWithXmlsec(kind: KeyKind, profile: SignatureProfile) throws {
        let scratch = try ScratchDirectory()
        let signer = PKI.signer(kind)
        let signed = try DocumentSigner(key: signer.key, certificate: signer.certificate, profile: profile).sign(bytes: Messages.orderBytes())
        let ca = try scratch.write("ca.pem", PKI.rsaCA.certificate.pemRepresentation)
        let document = try scratch.write("signed.xml", signed)
        let verified = try xmlsec1(["--verify", "--trusted-pem", ca, document])
        #expect(verified.status == 0, "xmlsec1 refused a Clearance signature: \(verified.output)")

        let tampered = try scratch.write("tampered.xml", signed.text.replacingFirst("<ceb:goodsValue>199.00<", with: "<ceb:goodsValue>9.00<"))
        let refused = try xmlsec1(["--verify", "--trusted-pem", ca, tampered])
        #expect(refused.status != 0, "xmlsec1 accepted a tampered document")
        expectRefusal(try scratch.read("tampered.xml")) { if case .digestMismatch = $0 { true } else { false } }
    }

    static let template = """
        <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
            <SignedInfo>
              <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
              <SignatureMethod Algorithm="SIGNATURE_METHOD"/>
              <Reference URI="">
                <Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>
                <DigestMethod Algorithm="DIGEST_METHOD"/>
                <DigestValue></DigestValue>
              </Reference>
            </SignedInfo>
            <SignatureValue/>
            <KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>
          </Signature>
        """

    @Test(arguments: [SignatureAlgorithm.rsaSHA256, .rsaSHA1])
    func xmlsecSignaturesVerifyWithClearance(algorithm: SignatureAlgorithm) throws {
        let scratch = try ScratchDirectory()
        let template = Self.template
            .replacingOccurrences(of: "SIGNATURE_METHOD", with: algorithm.uri)
            .replacingOccurrences(of: "DIGEST_METHOD", with: algorithm.digest.uri)
        let unsigned = Messages.order().replacingFirst("</ceb:CEB311Message>", with: template + "</ceb:CEB311Message>")
        let input = try scratch.write("template.xml", unsigned)
        let key = try scratch.write("key.pem", PKI.rsa2048.key.pemRepresentation())
        let cert = try scratch.write("cert.pem", PKI.rsa2048.certificate.pemRepresentation)
        let output = scratch.path("signed.xml")
        let signed = try xmlsec1(["--sign", "--privkey-pem", "\(key),\(cert)", "--output", output, input])
        try #require(signed.status == 0, "xmlsec1 --sign failed: \(signed.output)")

        let result = try PKI.verifier.verify(path: output)
        #expect(result.signatureAlgorithm == algorithm)
        #expect(result.digestAlgorithm == algorithm.digest)
        #expect(result.signer == PKI.rsa2048.certificate)
        #expect(result.warnings == (algorithm == .rsaSHA1 ? [.weakDigest(.sha1), .weakSignatureAlgorithm(.rsaSHA1)] : []))

        let tampered = try scratch.read("signed.xml").text.replacingFirst("<ceb:buyerName>张三<", with: "<ceb:buyerName>李四<")
        expectRefusal(tampered.bytes) { if case .digestMismatch = $0 { true } else { false } }
        let tamperedPath = try scratch.write("tampered.xml", tampered)
        let ca = try scratch.write("ca.pem", PKI.rsaCA.certificate.pemRepresentation)
        #expect(try xmlsec1(["--verify", "--trusted-pem", ca, tamperedPath]).status != 0)
    }

    /// The SM2 e-port signature over the SignedInfo bytes Clearance computes verifies with the OpenSSL
    /// command line (SM3-with-SM2, signer ID 1234567812345678, r || s re-encoded as DER).
    @Test func sm2SignaturesVerifyWithOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let signed = try DocumentSigner(key: PKI.sm2.key, certificate: PKI.sm2.certificate, profile: .eport).sign(bytes: Messages.orderBytes())
        let signedInfo = try PKI.verifier.signedInfo(of: signed)
        let text = signed.text
        let value = try Base64.decode(text[text.range(of: "<ds:SignatureValue>")!.upperBound..<text.range(of: "</ds:SignatureValue>")!.lowerBound])
        #expect(value.count == 64)
        let data = try scratch.write("signedinfo.c14n", signedInfo)
        let signature = try scratch.write("sig.der", TestDER.ecdsaSignature(raw: value))
        let publicKey = try scratch.write("pub.pem", PKI.sm2.certificate.publicKey.pemRepresentation)
        let verified = try openssl("dgst", "-sm3", "-verify", publicKey, "-sigopt", "distid:1234567812345678", "-signature", signature, data)
        #expect(verified.status == 0 && verified.output.contains("Verified OK"), "openssl: \(verified.output)")

        var tampered = signedInfo
        tampered[tampered.count / 2] ^= 0x01
        let tamperedPath = try scratch.write("tampered.c14n", tampered)
        let refused = try openssl("dgst", "-sm3", "-verify", publicKey, "-sigopt", "distid:1234567812345678", "-signature", signature, tamperedPath)
        #expect(refused.status != 0)
        // And the reference digest is SHA-1 over libxml2's C14N of the document minus its signature.
        let start = text.range(of: "<ds:Signature ")!.lowerBound, end = text.range(of: "</ds:Signature>")!.upperBound
        let unsigned = text.replacingCharacters(in: start..<end, with: "")
        let canonical = try #require(LibXML2C14N.canonicalize(unsigned.bytes, method: .inclusive))
        let digestValue = text[text.range(of: "<ds:DigestValue>")!.upperBound..<text.range(of: "</ds:DigestValue>")!.lowerBound]
        #expect(try Base64.decode(digestValue) == DigestAlgorithm.sha1.digest(canonical))
    }
}
