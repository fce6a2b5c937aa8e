import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import Testing
import XMLSignature

/// A single message's signature is verified in the parse that decodes it (against the certificate
/// its authenticated sender must sign with), and the gate takes that verdict instead of parsing again.
@Suite struct DecodeTimeVerificationTests {
    static func signer() throws -> (DocumentSigner, String) {
        let ca = try CertificateAuthority.selfSigned(commonName: "Decode-time CA", key: try PrivateKey.generate(kind: .ecP256))
        let key = try PrivateKey.generate(kind: .ecP256)
        let certificate = try ca.issue(commonName: "Decode-time signer", publicKey: key.publicKey)
        return (try DocumentSigner(key: key, certificate: certificate), certificate.pemRepresentation)
    }

    static func enterprise(_ pem: String) -> EnterpriseRecord {
        EnterpriseRecord(code: "3516980E2K", name: "Agent", role: .merchant, certificatePEM: pem)
    }

    @Test func aSignedMessageVerifiesInTheDecodingParseAsInItsOwn() throws {
        let (signer, pem) = try Self.signer()
        let signed = try signer.sign(bytes: try Repository.sample("unsigned/CEB621-inventory.xml"))
        let decoded = try DecodedMessage.decode(signed, verifyingAgainst: pem)
        #expect(decoded.documents.count == 1)
        let early = try #require(decoded.verification)
        #expect(early.certificatePEM == pem)
        let result = try early.outcome.get()
        let separate = try SignatureVerifier(policy: SignaturePolicy(trustStore: TrustStore(pinned: Certificate.all(pem: pem)))).verify(bytes: signed)
        #expect(result.signatureAlgorithm == separate.signatureAlgorithm)
        #expect(result.digestAlgorithm == separate.digestAlgorithm)
        let decision = InboundSignatureGate().check(decoded, signer: Self.enterprise(pem), claimedCode: "3516980E2K")
        #expect(decision.verdict == .valid)
        #expect(decision.refusal == nil)
        // Without a certificate to check against, decoding verifies nothing.
        #expect(try DecodedMessage.decode(signed).verification == nil)
    }

    @Test func aMessageChangedAfterSigningFailsInTheDecodingParse() throws {
        let (signer, pem) = try Self.signer()
        let signed = String(decoding: try signer.sign(bytes: try Repository.sample("unsigned/CEB621-inventory.xml")), as: UTF8.self)
        let tampered = Array(signed.replacingOccurrences(of: "台湾凤梨酥礼盒", with: "台湾凤梨酥礼盒X").utf8)
        let decoded = try DecodedMessage.decode(tampered, verifyingAgainst: pem)
        guard case .failure(let failure) = try #require(decoded.verification).outcome else {
            Issue.record("a changed message verified")
            return
        }
        guard case .digestMismatch = failure.reason else {
            Issue.record("expected a digest mismatch, got \(failure)")
            return
        }
        let decision = InboundSignatureGate().check(decoded, signer: Self.enterprise(pem), claimedCode: "3516980E2K")
        #expect(decision.verdict == .invalid)
        #expect(decision.refusal?.code == "SIG003")
    }

    @Test func theGateVerifiesAgainWhenTheSignerIsAnotherCertificate() throws {
        let (signer, pem) = try Self.signer()
        let (_, otherPEM) = try Self.signer()
        let signed = try signer.sign(bytes: try Repository.sample("unsigned/CEB621-inventory.xml"))
        // Decoded for an account whose certificate is not the signer's (ops sending for an enterprise).
        let decoded = try DecodedMessage.decode(signed, verifyingAgainst: otherPEM)
        guard case .failure = try #require(decoded.verification).outcome else {
            Issue.record("verified against a certificate that did not sign it")
            return
        }
        let gate = InboundSignatureGate()
        #expect(gate.check(decoded, signer: Self.enterprise(pem), claimedCode: "3516980E2K").verdict == .valid)
        #expect(gate.check(decoded, signer: Self.enterprise(otherPEM), claimedCode: "3516980E2K").refusal?.code == "SIG003")
    }

    @Test func theGateTakesTheDecodingParsesVerdictForItsCertificate() throws {
        let (signer, pem) = try Self.signer()
        let signed = try signer.sign(bytes: try Repository.sample("unsigned/CEB621-inventory.xml"))
        var decoded = try DecodedMessage.decode(signed, verifyingAgainst: pem)
        // The bytes verify; a recorded failure for the same certificate must still decide (no second parse).
        decoded.verification = DecodeTimeVerification(certificatePEM: pem, outcome: .failure(VerificationFailure(.missingSignature)))
        #expect(InboundSignatureGate().check(decoded, signer: Self.enterprise(pem), claimedCode: "3516980E2K").refusal?.code == "SIG003")
    }
}
