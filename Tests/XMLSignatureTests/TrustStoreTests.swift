import Foundation
import Testing
import XMLSignature

@Suite struct TrustStoreTests {
    static let now = Date()
    static let day: TimeInterval = 86400

    static func authority(_ kind: KeyKind, name: String = "Test CA") throws -> CertificateAuthority {
        try CertificateAuthority.selfSigned(commonName: "\(name) \(kind)", key: TestKeys.key(kind))
    }

    @Test(arguments: [KeyKind.rsa(bits: 2048), .ecP256, .sm2])
    func chainToCAValidates(kind: KeyKind) throws {
        let ca = try Self.authority(kind)
        #expect(ca.certificate.isCA)
        #expect(ca.certificate.keyUsage == [.keyCertSign, .cRLSign])
        let signer = try ca.issue(commonName: "Signer 电子口岸", publicKey: TestKeys.key(kind).publicKey)
        #expect(signer.issuer == ca.certificate.subject)
        #expect(signer.subject == "CN=Signer 电子口岸")
        #expect(signer.hasDigitalSignatureKeyUsage)
        let store = try TrustStore(anchors: [ca.certificate])
        try store.validate(signer, at: Self.now)
        // The certificate's key verifies what the matching private key signs.
        let algorithm = SignatureAlgorithm.preferred(for: kind)!
        let signature = try TestKeys.key(kind).sign([7, 7, 7], algorithm: algorithm)
        try signer.publicKey.verify(signature: signature, over: [7, 7, 7], algorithm: algorithm)
    }

    @Test(arguments: [KeyKind.rsa(bits: 2048), .ecP256, .sm2])
    func wrongCAFails(kind: KeyKind) throws {
        let ca = try Self.authority(kind)
        let other = try Self.authority(kind, name: "Other CA")
        let signer = try ca.issue(commonName: "Signer", publicKey: TestKeys.p256.publicKey)
        let store = try TrustStore(anchors: [other.certificate])
        #expect(throws: CryptoError.untrustedCertificate(subject: "CN=Signer", reason: "unable to get local issuer certificate")) {
            try store.validate(signer, at: Self.now)
        }
        #expect(throws: CryptoError.self) { try TrustStore().validate(signer, at: Self.now) }
    }

    @Test func forgedCAWithSameNameFails() throws {
        // Same subject name as the real CA, different key: the signature check must catch it.
        let real = try CertificateAuthority.selfSigned(commonName: "E-Port CA", key: TestKeys.sm2)
        let forger = try CertificateAuthority.selfSigned(commonName: "E-Port CA", key: PrivateKey.generate(kind: .sm2))
        let forged = try forger.issue(commonName: "Signer", publicKey: TestKeys.sm2.publicKey)
        let store = try TrustStore(anchors: [real.certificate])
        #expect(throws: CryptoError.self) { try store.validate(forged, at: Self.now) }
    }

    @Test func sm2CertificatesAreSignedWithTheGMTDefaultID() throws {
        let ca = try Self.authority(.sm2)
        let signer = try ca.issue(commonName: "Signer", publicKey: TestKeys.sm2.publicKey)
        #expect(signer.signatureAlgorithmName == "SM2-with-SM3")
        let scratch = try ScratchDirectory()
        let caPath = try scratch.write("ca.pem", ca.certificate.pemRepresentation)
        let signerPath = try scratch.write("signer.pem", signer.pemRepresentation)
        let withID = try openssl("verify", "-vfyopt", "distid:1234567812345678", "-CAfile", caPath, signerPath)
        #expect(withID.status == 0, "\(withID.output)")
        let withoutID = try openssl("verify", "-CAfile", caPath, signerPath)
        #expect(withoutID.status != 0)  // OpenSSL 3.0's empty default ID does not match
    }

    @Test func opensslIssuedSM2ChainValidates() throws {
        // A chain made entirely by the openssl CLI with the GM/T default ID, like the e-port CA's.
        let scratch = try ScratchDirectory()
        let steps: [[String]] = [
            ["genpkey", "-algorithm", "SM2", "-out", scratch.path("ca.key")],
            ["req", "-x509", "-new", "-key", scratch.path("ca.key"), "-sm3", "-sigopt", "distid:1234567812345678",
             "-subj", "/CN=CLI SM2 CA", "-days", "30", "-out", scratch.path("ca.pem")],
            ["genpkey", "-algorithm", "SM2", "-out", scratch.path("ee.key")],
            // The request's self-signature uses the CLI's default (empty) ID so that `x509 -req` accepts it.
            ["req", "-new", "-key", scratch.path("ee.key"), "-sm3", "-subj", "/CN=CLI EE", "-out", scratch.path("ee.csr")],
            ["x509", "-req", "-in", scratch.path("ee.csr"), "-CA", scratch.path("ca.pem"), "-CAkey", scratch.path("ca.key"),
             "-sm3", "-sigopt", "distid:1234567812345678", "-days", "10", "-out", scratch.path("ee.pem")],
            ["x509", "-req", "-in", scratch.path("ee.csr"), "-CA", scratch.path("ca.pem"), "-CAkey", scratch.path("ca.key"),
             "-sm3", "-days", "10", "-out", scratch.path("ee-empty-id.pem")],
        ]
        for step in steps {
            let result = try openssl(step)
            #expect(result.status == 0, "\(step): \(result.output)")
        }
        func certificate(_ name: String) throws -> Certificate {
            try Certificate(pem: String(decoding: try scratch.read(name), as: UTF8.self))
        }
        let store = try TrustStore(anchors: [certificate("ca.pem")])
        try store.validate(certificate("ee.pem"), at: Date())
        #expect(throws: CryptoError.self) { try store.validate(certificate("ee-empty-id.pem"), at: Date()) }
    }

    @Test func expiredAndNotYetValidFail() throws {
        let ca = try CertificateAuthority.selfSigned(commonName: "Long CA", key: TestKeys.p256,
                                                     notBefore: Self.now - 30 * Self.day, notAfter: Self.now + 30 * Self.day)
        let store = try TrustStore(anchors: [ca.certificate])
        let expired = try ca.issue(commonName: "Old", publicKey: TestKeys.p256.publicKey,
                                   notBefore: Self.now - 10 * Self.day, notAfter: Self.now - Self.day)
        #expect(throws: CryptoError.certificateExpired(subject: "CN=Old", notAfter: expired.notAfter)) {
            try store.validate(expired, at: Self.now)
        }
        try store.validate(expired, at: Self.now - 5 * Self.day)  // fine at a date inside its window
        let future = try ca.issue(commonName: "Future", publicKey: TestKeys.p256.publicKey,
                                  notBefore: Self.now + Self.day, notAfter: Self.now + 10 * Self.day)
        #expect(throws: CryptoError.certificateNotYetValid(subject: "CN=Future", notBefore: future.notBefore)) {
            try store.validate(future, at: Self.now)
        }
    }

    @Test func expiredCAFailsTheChain() throws {
        let ca = try CertificateAuthority.selfSigned(commonName: "Short CA", key: TestKeys.sm2,
                                                     notBefore: Self.now - 10 * Self.day, notAfter: Self.now - Self.day)
        let signer = try ca.issue(commonName: "Signer", publicKey: TestKeys.sm2.publicKey)
        let store = try TrustStore(anchors: [ca.certificate])
        #expect(throws: CryptoError.untrustedCertificate(subject: "CN=Signer", reason: "certificate has expired")) {
            try store.validate(signer, at: Self.now)
        }
    }

    @Test func keyUsagePolicy() throws {
        let ca = try Self.authority(.rsa(bits: 2048))
        let store = try TrustStore(anchors: [ca.certificate])
        let encipherOnly = try ca.issue(commonName: "Encipher", publicKey: TestKeys.rsa2048.publicKey, keyUsage: [.keyEncipherment])
        #expect(!encipherOnly.hasDigitalSignatureKeyUsage)
        #expect(throws: CryptoError.keyUsageForbidsSigning(subject: "CN=Encipher")) {
            try store.validate(encipherOnly, at: Self.now)
        }
        let nonRepudiationOnly = try ca.issue(commonName: "NR", publicKey: TestKeys.rsa2048.publicKey, keyUsage: [.nonRepudiation])
        #expect(throws: CryptoError.keyUsageForbidsSigning(subject: "CN=NR")) {
            try store.validate(nonRepudiationOnly, at: Self.now)
        }
        let both = try ca.issue(commonName: "Both", publicKey: TestKeys.rsa2048.publicKey, keyUsage: [.digitalSignature, .nonRepudiation])
        try store.validate(both, at: Self.now)

        let noExtension = try ca.issue(commonName: "Bare", publicKey: TestKeys.rsa2048.publicKey, keyUsage: nil)
        #expect(noExtension.keyUsage == nil)
        #expect(!noExtension.hasDigitalSignatureKeyUsage)
        try store.validate(noExtension, at: Self.now)
        let strict = try TrustStore(anchors: [ca.certificate], requireKeyUsageExtension: true)
        #expect(throws: CryptoError.keyUsageForbidsSigning(subject: "CN=Bare")) {
            try strict.validate(noExtension, at: Self.now)
        }
    }

    @Test func pinnedCertificateIsTrustedByExactMatch() throws {
        let ca = try Self.authority(.sm2)
        let pinnedCert = try ca.issue(commonName: "Pinned", publicKey: TestKeys.sm2.publicKey,
                                      notBefore: Self.now - Self.day, notAfter: Self.now + Self.day)
        let store = try TrustStore(pinned: [pinnedCert])  // the CA itself is not trusted
        try store.validate(try Certificate(der: pinnedCert.derBytes), at: Self.now)
        let sibling = try ca.issue(commonName: "Pinned", publicKey: TestKeys.sm2.publicKey)
        #expect(throws: CryptoError.self) { try store.validate(sibling, at: Self.now) }
        #expect(throws: CryptoError.certificateExpired(subject: "CN=Pinned", notAfter: pinnedCert.notAfter)) {
            try store.validate(pinnedCert, at: Self.now + 2 * Self.day)
        }
    }

    @Test func intermediateCAs() throws {
        let root = try Self.authority(.ecP256, name: "Root")
        let intermediateKey = TestKeys.sm2
        let intermediateCert = try root.issue(commonName: "Intermediate", publicKey: intermediateKey.publicKey,
                                              keyUsage: [.keyCertSign, .cRLSign], isCA: true)
        let intermediate = CertificateAuthority(certificate: intermediateCert, key: intermediateKey)
        let signer = try intermediate.issue(commonName: "Leaf", publicKey: TestKeys.rsa1024.publicKey,
                                            signatureAlgorithm: .sm2SM3)
        #expect(signer.rsaKeyBits == 1024)
        #expect(signer.publicKeyKind.isWeak)
        let rootOnly = try TrustStore(anchors: [root.certificate])
        try rootOnly.validate(signer, intermediates: [intermediateCert], at: Self.now)
        #expect(throws: CryptoError.self) { try rootOnly.validate(signer, at: Self.now) }
        // An intermediate may itself be the anchor (partial chain).
        try TrustStore(anchors: [intermediateCert]).validate(signer, at: Self.now)
        // A leaf certificate cannot act as a CA.
        let fakeIntermediate = CertificateAuthority(
            certificate: try root.issue(commonName: "Not a CA", publicKey: intermediateKey.publicKey), key: intermediateKey)
        let badLeaf = try fakeIntermediate.issue(commonName: "Leaf2", publicKey: TestKeys.p256.publicKey)
        #expect(throws: CryptoError.self) {
            try rootOnly.validate(badLeaf, intermediates: [fakeIntermediate.certificate], at: Self.now)
        }
    }

    @Test func serialNumberStyle() throws {
        let ca = try Self.authority(.sm2)
        let eportLike = try ca.issue(commonName: "S", publicKey: TestKeys.sm2.publicKey,
                                     serialNumber: [0x03, 0, 0, 0, 0, 0x0c, 0xde, 0x6f])
        #expect(eportLike.serialNumberHex == "03000000000cde6f")
        let highBit = try ca.issue(commonName: "S", publicKey: TestKeys.sm2.publicKey, serialNumber: [0x80, 0x01])
        #expect(highBit.serialNumberHex == "8001")
    }

    @Test func certificateParsingRejectsGarbage() throws {
        let ca = try Self.authority(.ecP256)
        #expect(throws: CryptoError.self) { try Certificate(der: ca.certificate.derBytes + [0]) }
        #expect(throws: CryptoError.self) { try Certificate(der: Array(ca.certificate.derBytes.dropLast())) }
        #expect(throws: CryptoError.pemBlockNotFound(expected: "CERTIFICATE")) { try Certificate(pem: "nothing") }
        #expect(throws: CryptoError.invalidBase64) { try Certificate(base64: "MII!!") }
        let bundle = ca.certificate.pemRepresentation + "junk between\n" + (try Self.authority(.sm2)).certificate.pemRepresentation
        let all = try Certificate.all(pem: bundle)
        #expect(all.count == 2)
        #expect(all[0] == ca.certificate)
        let store = try TrustStore(anchorsPEM: bundle)
        #expect(store.anchors.count == 2)
    }
}
