import Foundation
import Testing
import XMLSignature

/// Every strict refusal, each with its reason.
@Suite struct VerifyRefusalTests {
    static let signer = try! DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate)
    static let signed = try! signer.sign(bytes: Messages.orderBytes()).text

    /// The signed document with its `ds:SignedInfo` edited (the signature then no longer matches, but the
    /// structural refusal must come first, with its own reason).
    static func edited(_ target: String, _ replacement: String) -> [UInt8] {
        signed.replacingFirst(target, with: replacement).bytes
    }

    @Test func theUntouchedDocumentVerifies() throws {
        _ = try PKI.verifier.verify(bytes: Self.signed.bytes)
    }

    @Test func noSignature() {
        expectRefusal(Messages.orderBytes()) { $0 == .missingSignature }
    }

    @Test func referenceURIMustBeEmpty() {
        expectRefusal(Self.edited("<ds:Reference URI=\"\">", "<ds:Reference URI=\"#order\">")) { $0 == .referenceURINotEmpty("#order") }
        expectRefusal(Self.edited("<ds:Reference URI=\"\">", "<ds:Reference>")) { $0 == .referenceURINotEmpty(nil) }
    }

    @Test func xpathAndXSLTTransformsAreRefused() {
        let xpath = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>"
        expectRefusal(Self.edited("</ds:Transforms>", xpath + "</ds:Transforms>")) {
            $0 == .transformNotAllowed("http://www.w3.org/TR/1999/REC-xpath-19991116")
        }
        let xslt = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"></ds:Transform>"
        expectRefusal(Self.edited("<ds:Transforms>", "<ds:Transforms>" + xslt)) {
            $0 == .transformNotAllowed("http://www.w3.org/TR/1999/REC-xslt-19991116")
        }
        let filter2 = "<ds:Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\"></ds:Transform>"
        expectRefusal(Self.edited("</ds:Transforms>", filter2 + "</ds:Transforms>")) {
            $0 == .transformNotAllowed("http://www.w3.org/2002/06/xmldsig-filter2")
        }
    }

    @Test func transformOrderAndEnvelopedAreEnforced() {
        let enveloped = "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>"
        expectRefusal(Self.edited(enveloped, "")) { $0 == .missingEnvelopedTransform }
        let c14n = "<ds:Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"></ds:Transform>"
        expectRefusal(Self.edited(enveloped, c14n + enveloped)) { $0 == .transformNotAllowed(CanonicalizationMethod.inclusive.uri) }
        expectRefusal(Self.edited(enveloped, enveloped + c14n + c14n)) { $0 == .transformNotAllowed(CanonicalizationMethod.inclusive.uri) }
        // One C14N transform after the enveloped one is accepted (the signature then fails: SignedInfo changed).
        expectRefusal(Self.edited(enveloped, enveloped + c14n)) { if case .signatureMismatch = $0 { true } else { false } }
    }

    @Test func exactlyOneReference() {
        let text = Self.signed
        let start = text.range(of: "<ds:Reference ")!.lowerBound, end = text.range(of: "</ds:Reference>")!.upperBound
        let reference = String(text[start..<end])
        expectRefusal(Self.edited(reference, reference + reference)) { $0 == .referenceCount(2) }
        expectRefusal(Self.edited(reference, "")) { $0 == .referenceCount(0) }
    }

    @Test func algorithmsOutsideTheAllowListAreRefused() throws {
        let hmac = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
        expectRefusal(Self.edited(SignatureAlgorithm.rsaSHA256.uri, hmac)) { $0 == .signatureAlgorithmNotAllowed(hmac) }
        let md5 = "http://www.w3.org/2001/04/xmldsig-more#md5"
        expectRefusal(Self.edited(DigestAlgorithm.sha256.uri, md5)) { $0 == .digestAlgorithmNotAllowed(md5) }
        let c14n11 = "http://www.w3.org/2006/12/xml-c14n11"
        expectRefusal(Self.edited(CanonicalizationMethod.inclusive.uri + "\"></ds:CanonicalizationMethod>", c14n11 + "\"></ds:CanonicalizationMethod>")) {
            $0 == .canonicalizationNotAllowed(c14n11)
        }
        // Known algorithms the policy leaves out.
        let noRSA256 = SignatureVerifier(policy: PKI.policy { $0.allowedSignatureAlgorithms = [.sm2SM3] })
        expectRefusal(Self.signed.bytes, verifier: noRSA256) { $0 == .signatureAlgorithmNotAllowed(SignatureAlgorithm.rsaSHA256.uri) }
        let noSHA256 = SignatureVerifier(policy: PKI.policy { $0.allowedDigestAlgorithms = [.sm3] })
        expectRefusal(Self.signed.bytes, verifier: noSHA256) { $0 == .digestAlgorithmNotAllowed(DigestAlgorithm.sha256.uri) }
        let exclusiveOnly = SignatureVerifier(policy: PKI.policy { $0.allowedCanonicalizations = [.exclusive] })
        expectRefusal(Self.signed.bytes, verifier: exclusiveOnly) { $0 == .canonicalizationNotAllowed(CanonicalizationMethod.inclusive.uri) }
    }

    @Test func algorithmMustFitTheCertificateKey() {
        expectRefusal(Self.edited(SignatureAlgorithm.rsaSHA256.uri, SignatureAlgorithm.ecdsaSHA256.uri)) {
            $0 == .algorithmDoesNotFitKey(algorithm: .ecdsaSHA256, key: .rsa(bits: 2048))
        }
    }

    @Test func keyNameMustBeTheCertificateSerial() {
        let serial = PKI.rsa2048.certificate.serialNumberHex
        expectRefusal(Self.edited("<ds:KeyName>\(serial)</ds:KeyName>", "<ds:KeyName>0badc0de</ds:KeyName>")) {
            $0 == .keyNameMismatch(keyName: "0badc0de", serial: serial)
        }
        // Case, a 0x prefix and leading zeros do not matter.
        let relaxed = Self.edited("<ds:KeyName>\(serial)</ds:KeyName>", "<ds:KeyName> 0x00\(serial.uppercased()) </ds:KeyName>")
        #expect(throws: Never.self) { try PKI.verifier.verify(bytes: relaxed) }
    }

    @Test func certificateIsRequired() {
        let text = Self.signed
        let start = text.range(of: "<ds:KeyInfo>")!.lowerBound, end = text.range(of: "</ds:KeyInfo>")!.upperBound
        expectRefusal(Self.edited(String(text[start..<end]), "")) { $0 == .missingCertificate }
        expectRefusal(Self.edited("<ds:X509Certificate>", "<ds:X509Certificate>AAAA")) { if case .invalidCertificate = $0 { true } else { false } }
    }

    @Test func malformedSignaturesAreRefused() {
        expectRefusal(Self.edited("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object>x</ds:Object>")) { if case .malformedSignature = $0 { true } else { false } }
        expectRefusal(Self.edited("<ds:SignatureValue>", "<ds:SignatureValue>!!")) { if case .malformedSignature = $0 { true } else { false } }
        expectRefusal(Self.edited("<ds:SignedInfo>", "<ds:SignedInfo>text")) { if case .malformedSignature = $0 { true } else { false } }
        expectRefusal(Self.edited("</ds:SignatureMethod>", "<ds:HMACOutputLength>80</ds:HMACOutputLength></ds:SignatureMethod>")) {
            if case .malformedSignature = $0 { true } else { false }
        }
    }

    @Test func tamperingFails() {
        let digestMismatch: (VerificationFailure.Reason) -> Bool = { if case .digestMismatch = $0 { true } else { false } }
        expectRefusal(Self.edited("<ceb:goodsValue>199.00<", "<ceb:goodsValue>199.01<"), digestMismatch)
        expectRefusal(Self.edited("张三", "李四"), digestMismatch)
        expectRefusal(Self.edited("</ceb:BaseTransfer>", "<ceb:extra>1</ceb:extra></ceb:BaseTransfer>"), digestMismatch)
        expectRefusal(Self.edited("guid=\"4CDE", "guid=\"5CDE"), digestMismatch)
        let digest = Self.signed.range(of: "<ds:DigestValue>")!.upperBound
        let first = Self.signed[digest]
        expectRefusal(Self.edited("<ds:DigestValue>\(first)", "<ds:DigestValue>\(first == "A" ? "B" : "A")"), digestMismatch)
        let value = Self.signed.range(of: "<ds:SignatureValue>")!.upperBound
        let firstValue = Self.signed[value]
        expectRefusal(Self.edited("<ds:SignatureValue>\(firstValue)", "<ds:SignatureValue>\(firstValue == "A" ? "B" : "A")")) {
            if case .signatureMismatch = $0 { true } else { false }
        }
    }

    @Test func prettyPrintingAfterSigningFailsOnTheDigest() throws {
        let pretty = Self.signed.replacingOccurrences(of: "<ceb:orderNo>", with: "\n      <ceb:orderNo>")
        do {
            _ = try PKI.verifier.verify(bytes: pretty.bytes)
            Issue.record("pretty-printed document verified")
        } catch {
            #expect(error.reason == .digestMismatch(.sha256, .inclusive))
            #expect(error.message.contains("pretty-printing"))
        }
    }

    @Test func weakElementsAreRefusedByPolicy() throws {
        let eport = try DocumentSigner(key: PKI.rsa1024.key, certificate: PKI.rsa1024.certificate, profile: .eport).sign(bytes: Messages.orderBytes())
        let accepted = try PKI.verifier.verify(bytes: eport)
        #expect(accepted.warnings == [.weakDigest(.sha1), .weakSignatureAlgorithm(.rsaSHA1), .weakKey(.rsa(bits: 1024))])
        expectRefusal(eport, verifier: SignatureVerifier(policy: PKI.policy { $0.refusesWeakDigests = true })) {
            $0 == .weakElementRefused(.weakDigest(.sha1))
        }
        expectRefusal(eport, verifier: SignatureVerifier(policy: PKI.policy { $0.refusesWeakSignatureAlgorithms = true })) {
            $0 == .weakElementRefused(.weakSignatureAlgorithm(.rsaSHA1))
        }
        expectRefusal(eport, verifier: SignatureVerifier(policy: PKI.policy { $0.refusesWeakKeys = true })) {
            $0 == .weakElementRefused(.weakKey(.rsa(bits: 1024)))
        }
        var all = PKI.policy()
        all.refusesWeak = true
        #expect(all.refusesWeakDigests && all.refusesWeakSignatureAlgorithms && all.refusesWeakKeys)
        expectRefusal(eport, verifier: SignatureVerifier(policy: all)) { if case .weakElementRefused = $0 { true } else { false } }
    }

    @Test func oversizedSignatureIsRefused() {
        let verifier = SignatureVerifier(policy: PKI.policy { $0.maxSignatureBytes = 512 })
        expectRefusal(Self.signed.bytes, verifier: verifier) { $0 == .signatureTooLarge(limit: 512) }
    }

    @Test func malformedXMLIsRefused() {
        expectRefusal(Array(Self.signed.utf8.dropLast(10))) { if case .xml = $0 { true } else { false } }
        expectRefusal(("<!DOCTYPE x [<!ENTITY e 'x'>]>" + Self.signed.replacingFirst("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")).bytes) {
            if case .xml = $0 { true } else { false }
        }
    }

    @Test func unreadableFileIsAnIOFailure() {
        do {
            _ = try PKI.verifier.verify(path: "/nonexistent/order.xml")
            Issue.record("verified a missing file")
        } catch {
            if case .io = error.reason {} else { Issue.record("expected io, got \(error)") }
        }
    }
}
