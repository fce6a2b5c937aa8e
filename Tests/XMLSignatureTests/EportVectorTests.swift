import Foundation
import Testing
import XMLSignature

/// The genuine e-port SM2 signature from `shared/vectors/eport-sm2`.
@Suite struct EportVectorTests {
    let certificate: Certificate
    let signedInfo: [UInt8]
    let signatureValue: [UInt8]

    init() throws {
        certificate = try Certificate(pem: Fixtures.sharedText("vectors/eport-sm2/signer-cert.pem"))
        signedInfo = [UInt8](try Fixtures.shared("vectors/eport-sm2/signed-info.c14n.xml"))
        signatureValue = try Base64.decode(Fixtures.sharedText("vectors/eport-sm2/signature-value.b64"))
    }

    @Test func signedBytesAreExactlyAsPublished() {
        #expect(signedInfo.last == UInt8(ascii: ">"))  // no trailing newline
        #expect(signatureValue.count == 64)
        let uri = "http://www.w3.org/2000/09/xmldsig#sm2-sm3"
        #expect(String(decoding: signedInfo, as: UTF8.self).contains(uri))
        #expect(SignatureAlgorithm(uri: uri) == .sm2SM3)
    }

    @Test func verifiesWithTheGMTDefaultSignerID() throws {
        try certificate.publicKey.verify(signature: signatureValue, over: signedInfo, algorithm: .sm2SM3)
        try certificate.publicKey.verify(signature: signatureValue, over: signedInfo, algorithm: .sm2SM3, sm2SignerID: SM2SignerID("1234567812345678"))
    }

    @Test func emptySignerIDFails() {
        #expect(throws: CryptoError.signatureMismatch) {
            try certificate.publicKey.verify(signature: signatureValue, over: signedInfo, algorithm: .sm2SM3, sm2SignerID: .empty)
        }
    }

    @Test(arguments: [0, 17, 31, 32, 50, 63])
    func flippedSignatureBitFails(byte: Int) {
        var tampered = signatureValue
        tampered[byte] ^= 0x01
        #expect(throws: CryptoError.signatureMismatch) {
            try certificate.publicKey.verify(signature: tampered, over: signedInfo, algorithm: .sm2SM3)
        }
    }

    @Test func flippedDataBitFails() {
        var tampered = signedInfo
        tampered[tampered.count / 2] ^= 0x20
        #expect(throws: CryptoError.signatureMismatch) {
            try certificate.publicKey.verify(signature: signatureValue, over: tampered, algorithm: .sm2SM3)
        }
    }

    @Test func derEncodedValueIsRejectedAsMalformed() {
        let der = TestDER.ecdsaSignature(raw: signatureValue)
        #expect(throws: CryptoError.self) {
            try certificate.publicKey.verify(signature: der, over: signedInfo, algorithm: .sm2SM3)
        }
        do {
            try certificate.publicKey.verify(signature: der, over: signedInfo, algorithm: .sm2SM3)
        } catch {
            guard case .malformedSignature = error else { Issue.record("expected malformedSignature, got \(error)"); return }
        }
    }

    @Test func wrongAlgorithmIsAKeyMismatch() {
        #expect(throws: CryptoError.keyMismatch(algorithm: .ecdsaSHA256, key: .sm2)) {
            try certificate.publicKey.verify(signature: signatureValue, over: signedInfo, algorithm: .ecdsaSHA256)
        }
    }

    @Test func certificateFields() {
        #expect(certificate.serialNumberHex == "03000000000cde6f")
        #expect(certificate.publicKeyKind == .sm2)
        #expect(certificate.rsaKeyBits == nil)
        #expect(certificate.hasDigitalSignatureKeyUsage)
        #expect(certificate.keyUsage == [.digitalSignature, .nonRepudiation])
        #expect(!certificate.isCA)
        #expect(certificate.signatureAlgorithmName == "SM2-with-SM3")
        #expect(certificate.subject.hasPrefix("CN=杨如金,OU="))
        #expect(certificate.subject.hasSuffix(",C=CN"))
        #expect(certificate.issuer.contains("O=中国电子口岸"))
        #expect(certificate.notBefore == Date(timeIntervalSince1970: 1_680_048_000))  // 2023-03-29T00:00:00Z
        #expect(certificate.notAfter == Date(timeIntervalSince1970: 1_995_667_200))   // 2033-03-29T00:00:00Z
    }

    @Test func base64WrappedOverIndentedLinesDecodesToTheSameCertificate() throws {
        let wrapped = "\n        " + certificate.base64(lineLength: 60).replacingOccurrences(of: "\n", with: "\r\n        ") + "\n    "
        let fromBase64 = try Certificate(base64: wrapped)
        #expect(fromBase64 == certificate)
        #expect(try Certificate(der: certificate.derBytes).derBytes == certificate.derBytes)
        #expect(try Certificate(pem: certificate.pemRepresentation) == certificate)
    }

    @Test func signerCertificateMatchesOpenSSLsSerial() throws {
        let path = Fixtures.sharedDirectory.appendingPathComponent("vectors/eport-sm2/signer-cert.pem").path
        let result = try openssl("x509", "-in", path, "-noout", "-serial")
        #expect(result.status == 0)
        // `openssl x509 -serial` prints whole bytes (upper case): the same style as the e-port certNo.
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "serial=" + certificate.serialNumberHex.uppercased())
    }
}
