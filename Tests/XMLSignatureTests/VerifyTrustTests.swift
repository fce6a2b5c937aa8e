import Foundation
import Testing
import XMLSignature

/// The signer's certificate must chain to the trust store (or be pinned), be within validity and be
/// allowed to sign.
@Suite struct VerifyTrustTests {
    static func signed(by signer: PKI.Signer) throws -> [UInt8] {
        try DocumentSigner(key: signer.key, certificate: signer.certificate).sign(bytes: Messages.orderBytes())
    }

    static func isUntrusted(_ reason: VerificationFailure.Reason) -> Bool {
        if case .certificateRefused(.untrustedCertificate) = reason { return true }
        return false
    }

    @Test func strangerCertificateIsRefused() throws {
        let stranger = PKI.issue(try PrivateKey.generate(kind: .ecP256), by: PKI.strangerCA, name: "Stranger")
        expectRefusal(try Self.signed(by: stranger), Self.isUntrusted)
        // A self-signed certificate presenting itself is not trusted either.
        let key = try PrivateKey.generate(kind: .ecP256)
        let selfSigned = try CertificateAuthority.selfSigned(commonName: "Me", key: key)
        expectRefusal(try Self.signed(by: PKI.Signer(key: key, certificate: selfSigned.certificate))) {
            if case .certificateRefused = $0 { true } else { false }
        }
    }

    @Test func emptyTrustStoreTrustsNobody() throws {
        let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore()))
        expectRefusal(try Self.signed(by: PKI.rsa2048), verifier: verifier, Self.isUntrusted)
    }

    @Test func pinnedCertificateIsTrustedWithoutItsCA() throws {
        let stranger = PKI.issue(try PrivateKey.generate(kind: .ecP256), by: PKI.strangerCA, name: "Pinned Enterprise")
        let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(pinned: [stranger.certificate])))
        #expect(try verifier.verify(bytes: Self.signed(by: stranger)).signer == stranger.certificate)
        expectRefusal(try Self.signed(by: PKI.rsa2048), verifier: verifier, Self.isUntrusted)
    }

    @Test func validityWindowIsEnforced() throws {
        let document = try Self.signed(by: PKI.p256)
        let later = SignatureVerifier(policy: PKI.policy { $0.clock = { Date(timeIntervalSinceNow: 2 * 365 * 86400) } })
        expectRefusal(document, verifier: later) { if case .certificateRefused(.certificateExpired) = $0 { true } else { false } }
        let earlier = SignatureVerifier(policy: PKI.policy { $0.clock = { Date(timeIntervalSinceNow: -86400) } })
        expectRefusal(document, verifier: earlier) { if case .certificateRefused(.certificateNotYetValid) = $0 { true } else { false } }
        let expired = PKI.issue(TestKeys.p256, by: PKI.rsaCA, name: "Expired",
                                notBefore: Date(timeIntervalSinceNow: -86400 * 10), notAfter: Date(timeIntervalSinceNow: -86400))
        expectRefusal(try Self.signed(by: expired)) { if case .certificateRefused(.certificateExpired) = $0 { true } else { false } }
    }

    @Test func keyUsageMustAllowSigning() throws {
        let encipherOnly = PKI.issue(TestKeys.p256, by: PKI.rsaCA, name: "Encipher only", keyUsage: [.keyEncipherment, .keyAgreement])
        expectRefusal(try Self.signed(by: encipherOnly)) { if case .certificateRefused(.keyUsageForbidsSigning) = $0 { true } else { false } }
    }
}
