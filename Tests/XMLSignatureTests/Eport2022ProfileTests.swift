import Foundation
import Testing
import XMLSignature

/// The 202205 e-port profile (`eport2022`): SM2-SM3 and an SM3 reference digest under the e-port's 2022
/// URIs, laid out as the 202205 customs samples (`shared/customs-spec/samples-202205`), checked against the
/// OpenSSL command line in both directions.
@Suite struct Eport2022ProfileTests {
    static let samplesDirectory = "customs-spec/samples-202205"

    /// The 202205 samples signed with the 2022 URIs (their values are templates: they do not verify).
    static func samples() throws -> [(name: String, text: String)] {
        let directory = Fixtures.sharedDirectory.appendingPathComponent(samplesDirectory)
        _ = try Fixtures.shared("\(samplesDirectory)/import_CEB311Message.xml")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().compactMap { name in
            let text = try Fixtures.sharedText("\(samplesDirectory)/\(name)")
            return text.contains(SignatureProfile.eport2022SignatureMethod) ? (name, text) : nil
        }
    }

    /// The range of the `ds:Signature` element in `text`.
    static func signatureRange(_ text: String) -> Range<String.Index> {
        text.range(of: "<ds:Signature ")!.lowerBound..<text.range(of: "</ds:Signature>")!.upperBound
    }

    /// The signature's element names and `Algorithm` attributes, in order: its layout without values or whitespace.
    static func skeleton(_ text: String) throws -> [String] {
        let signature = String(text[signatureRange(text)])
        let tag = try Regex(#"<(ds:[A-Za-z0-9]+)(?:\s+Algorithm="([^"]*)")?"#)
        return signature.matches(of: tag).map { match in
            [match.output[1].substring, match.output[2].substring].compactMap { $0.map(String.init) }.joined(separator: " ")
        }
    }

    static func value(of element: String, in text: String) throws -> [UInt8] {
        try Base64.decode(text[text.range(of: "<\(element)>")!.upperBound..<text.range(of: "</\(element)>")!.lowerBound])
    }

    static let signer = try! DocumentSigner(key: PKI.sm2.key, certificate: PKI.sm2.certificate, profile: .eport2022)

    @Test func signsSM2WithThe2022URIsOverAnSM3Digest() throws {
        #expect(Self.signer.signatureAlgorithm == .sm2SM3)
        #expect(Self.signer.digestAlgorithm == .sm3)
        #expect(SignatureProfile(rawValue: "eport2022") == .eport2022)
        let signed = try Self.signer.sign(bytes: Messages.orderBytes())
        let text = signed.text
        #expect(text.contains(#"<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3">"#))
        #expect(text.contains(#"<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3">"#))
        let result = try PKI.verifier.verify(bytes: signed)
        #expect(result.profile == .eport2022)
        #expect(result.signatureAlgorithm == .sm2SM3 && result.digestAlgorithm == .sm3)
        #expect(result.warnings.isEmpty)
        // The older profiles are unchanged, and report as before.
        let eport = try DocumentSigner(key: PKI.sm2.key, certificate: PKI.sm2.certificate, profile: .eport).sign(bytes: Messages.orderBytes())
        #expect(eport.text.contains(#"Algorithm="http://www.w3.org/2000/09/xmldsig#sm2-sm3""#))
        #expect(try PKI.verifier.verify(bytes: eport).profile == .eport)
        let standard = try DocumentSigner(key: PKI.sm2.key, certificate: PKI.sm2.certificate).sign(bytes: Messages.orderBytes())
        #expect(try PKI.verifier.verify(bytes: standard).profile == .standard)
        // SM2 only: the 2022 URIs name SM2 and SM3.
        #expect(throws: SignatureError(.profileNotApplicable(profile: .eport2022, key: .rsa(bits: 2048)))) {
            try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate, profile: .eport2022)
        }
    }

    /// Every 202205 sample with the 2022 URIs: its signature's structure is accepted, and re-signing the
    /// sample (its signature removed) gives the same elements and algorithms in the same order, and verifies.
    @Test func layoutIsThe202205Samples() throws {
        let samples = try Self.samples()
        #expect(samples.count == 18)
        for sample in samples {
            _ = try PKI.verifier.signedInfo(of: sample.text.bytes)
            let unsigned = sample.text.replacingCharacters(in: Self.signatureRange(sample.text), with: "")
            let signed = try Self.signer.sign(bytes: unsigned.bytes)
            #expect(try Self.skeleton(signed.text) == Self.skeleton(sample.text), "\(sample.name)")
            #expect(try PKI.verifier.verify(bytes: signed).profile == .eport2022, "\(sample.name)")
        }
        #expect(try Self.skeleton(samples[0].text) == [
            "ds:Signature", "ds:SignedInfo", "ds:CanonicalizationMethod http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            "ds:SignatureMethod http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3", "ds:Reference", "ds:Transforms",
            "ds:Transform http://www.w3.org/2000/09/xmldsig#enveloped-signature", "ds:DigestMethod http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
            "ds:DigestValue", "ds:SignatureValue", "ds:KeyInfo", "ds:KeyName", "ds:X509Data", "ds:X509Certificate",
        ])
    }

    /// Our signature, checked by OpenSSL: the DigestValue is `openssl dgst -sm3` of libxml2's C14N of the
    /// document without its signature; the SignatureValue (raw r || s, re-encoded as DER) verifies with
    /// `openssl dgst -sm3 -verify` and the signer ID 1234567812345678 over the canonical SignedInfo.
    @Test func ourSignatureChecksWithTheOpenSSLCommandLine() throws {
        let scratch = try ScratchDirectory()
        let text = try Self.signer.sign(bytes: Messages.orderBytes()).text
        let unsigned = text.replacingCharacters(in: Self.signatureRange(text), with: "")
        let canonical = try #require(LibXML2C14N.canonicalize(unsigned.bytes, method: .inclusive))
        let sm3 = try openssl("dgst", "-sm3", "-binary", "-out", scratch.path("digest.bin"), scratch.write("document.c14n", canonical))
        try #require(sm3.status == 0, "openssl: \(sm3.output)")
        #expect(try scratch.read("digest.bin") == Self.value(of: "ds:DigestValue", in: text))

        let signedInfo = try scratch.write("signedinfo.c14n", PKI.verifier.signedInfo(of: text.bytes))
        let value = try Self.value(of: "ds:SignatureValue", in: text)
        #expect(value.count == 64)
        let signature = try scratch.write("sig.der", TestDER.ecdsaSignature(raw: value))
        let publicKey = try scratch.write("pub.pem", PKI.sm2.certificate.publicKey.pemRepresentation)
        let verified = try openssl("dgst", "-sm3", "-verify", publicKey, "-sigopt", "distid:1234567812345678", "-signature", signature, signedInfo)
        #expect(verified.status == 0 && verified.output.contains("Verified OK"), "openssl: \(verified.output)")
        let otherID = try openssl("dgst", "-sm3", "-verify", publicKey, "-sigopt", "distid:1234567812345679", "-signature", signature, signedInfo)
        #expect(otherID.status != 0, "a signature made with another signer ID verified")
    }

    /// A signature made entirely outside Clearance, in the 202205 sample's own layout (line breaks, wrapped
    /// base64): digest by `openssl dgst -sm3` over libxml2's C14N, SignedInfo canonicalized by hand,
    /// signed by `openssl dgst -sm3 -sign` with the signer ID. Clearance reproduces the SignedInfo bytes and verifies it.
    @Test func openSSLSignatureVerifiesInClearance() throws {
        let scratch = try ScratchDirectory()
        let sample = try Fixtures.sharedText("\(Self.samplesDirectory)/import_CEB311Message.xml")
        let range = Self.signatureRange(sample)
        let unsigned = sample.replacingCharacters(in: range, with: "")
        let canonical = try #require(LibXML2C14N.canonicalize(unsigned.bytes, method: .inclusive))
        try #require(try openssl("dgst", "-sm3", "-binary", "-out", scratch.path("digest.bin"), scratch.write("document.c14n", canonical)).status == 0)
        let digest = Base64.encode(try scratch.read("digest.bin"))

        let signedInfoBody = """
            <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:CanonicalizationMethod>
            <ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"></ds:SignatureMethod>
            <ds:Reference URI="">
            <ds:Transforms>
            <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>
            </ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"></ds:DigestMethod>
            <ds:DigestValue>\(digest)</ds:DigestValue>
            </ds:Reference>
            """
        // Inclusive C14N of the subset: the root's namespace (ceb) and the signature's (ds) on the apex.
        let canonicalSignedInfo = #"<ds:SignedInfo xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">"#
            + "\n\(signedInfoBody)\n</ds:SignedInfo>"
        let key = try scratch.write("key.pem", PKI.sm2.key.pemRepresentation())
        let data = try scratch.write("signedinfo.c14n", canonicalSignedInfo)
        let signed = try openssl("dgst", "-sm3", "-sign", key, "-sigopt", "distid:1234567812345678", "-out", scratch.path("sig.der"), data)
        try #require(signed.status == 0, "openssl: \(signed.output)")
        let value = TestDER.raw(ecdsaSignature: try scratch.read("sig.der"))
        let signature = """
            <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
            <ds:SignedInfo>
            \(signedInfoBody)
            </ds:SignedInfo>
            <ds:SignatureValue>\(EportSignatureProfileTests.wrapped(Base64.encode(value)))</ds:SignatureValue>
            <ds:KeyInfo>
            <ds:KeyName>\(PKI.sm2.certificate.serialNumberHex)</ds:KeyName>
            <ds:X509Data>
            <ds:X509Certificate>\(EportSignatureProfileTests.wrapped(PKI.sm2.certificate.base64()))</ds:X509Certificate>
            </ds:X509Data>
            </ds:KeyInfo>
            </ds:Signature>
            """
        let document = sample.replacingCharacters(in: range, with: signature)
        #expect(try PKI.verifier.signedInfo(of: document.bytes) == canonicalSignedInfo.bytes)
        let result = try PKI.verifier.verify(bytes: document.bytes)
        #expect(result.profile == .eport2022)
        #expect(result.signer == PKI.sm2.certificate)
        #expect(result.warnings.isEmpty)
        // The business content is what was digested.
        let tampered = document.replacingFirst("<ceb:orderNo>", with: "<ceb:orderNo>X")
        #expect(tampered != document)
        expectRefusal(tampered.bytes) { $0 == .digestMismatch(.sm3, .inclusive) }
    }
}
