import Foundation
import Testing
import XMLSignature

@Suite struct PrivateKeyPEMTests {
    static let passphrase = Array("correct horse 电池".utf8)

    @Test(arguments: [KeyKind.rsa(bits: 2048), .ecP256, .sm2])
    func pkcs8RoundTripPlainAndEncrypted(kind: KeyKind) throws {
        let key = TestKeys.key(kind)
        let plain = try key.pemRepresentation()
        #expect(plain.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let reloaded = try PrivateKey(pem: plain)
        #expect(reloaded.kind == kind)
        #expect(reloaded.publicKey.derRepresentation == key.publicKey.derRepresentation)

        let encrypted = try key.pemRepresentation(passphrase: Self.passphrase)
        #expect(encrypted.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let decrypted = try PrivateKey(pem: encrypted, passphrase: Self.passphrase)
        let algorithm = SignatureAlgorithm.preferred(for: kind)!
        let signature = try decrypted.sign([1, 2, 3], algorithm: algorithm)
        try key.publicKey.verify(signature: signature, over: [1, 2, 3], algorithm: algorithm)

        #expect(throws: CryptoError.wrongPassphrase) { try PrivateKey(pem: encrypted, passphrase: Array("wrong".utf8)) }
        #expect(throws: CryptoError.passphraseRequired) { try PrivateKey(pem: encrypted) }
    }

    @Test func traditionalEncryptedRSAFromOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let plainPath = try scratch.write("rsa.pem", TestKeys.rsa1024.pemRepresentation())
        let result = try openssl("rsa", "-in", plainPath, "-traditional", "-aes128", "-passout", "pass:s3cret", "-out", scratch.path("trad.pem"))
        #expect(result.status == 0, "\(result.output)")
        let pem = String(decoding: try scratch.read("trad.pem"), as: UTF8.self)
        #expect(pem.contains("BEGIN RSA PRIVATE KEY"))
        #expect(pem.contains("Proc-Type: 4,ENCRYPTED"))
        let key = try PrivateKey(pem: pem, passphrase: Array("s3cret".utf8))
        #expect(key.kind == .rsa(bits: 1024))
        #expect(key.publicKey.derRepresentation == TestKeys.rsa1024.publicKey.derRepresentation)
        #expect(throws: CryptoError.wrongPassphrase) { try PrivateKey(pem: pem, passphrase: Array("s3creT".utf8)) }
        #expect(throws: CryptoError.passphraseRequired) { try PrivateKey(pem: pem) }
    }

    @Test func encryptedPKCS8FromOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let result = try openssl("genpkey", "-algorithm", "SM2", "-aes-256-cbc", "-pass", "pass:口岸", "-out", scratch.path("sm2.pem"))
        #expect(result.status == 0, "\(result.output)")
        let pem = String(decoding: try scratch.read("sm2.pem"), as: UTF8.self)
        #expect(try PrivateKey(pem: pem, passphrase: Array("口岸".utf8)).kind == .sm2)
        #expect(throws: CryptoError.wrongPassphrase) { try PrivateKey(pem: pem, passphrase: Array("口".utf8)) }
    }

    @Test func derAndErrors() throws {
        let pem = try TestKeys.p256.pemRepresentation()
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try Base64.decode(body)
        #expect(try PrivateKey(der: der).kind == .ecP256)
        #expect(throws: CryptoError.pemBlockNotFound(expected: "PRIVATE KEY")) { try PrivateKey(pem: "hello") }
        #expect(throws: CryptoError.self) { try PrivateKey(der: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        let corrupt = pem.replacingOccurrences(of: body.prefix(40), with: String(repeating: "A", count: 40))
        do {
            _ = try PrivateKey(pem: corrupt)
            Issue.record("corrupt key loaded")
        } catch {
            guard case .invalidPrivateKey = error else { Issue.record("expected invalidPrivateKey, got \(error)"); return }
            #expect(error.description.hasPrefix("cannot decode private key"))
        }
    }

    @Test func errorMessagesAreHuman() {
        #expect(CryptoError.wrongPassphrase.description.contains("passphrase"))
        #expect(CryptoError.keyMismatch(algorithm: .sm2SM3, key: .ecP256).description
            == "signature algorithm http://www.w3.org/2000/09/xmldsig#sm2-sm3 cannot be used with a EC P-256 key")
        let expired = CryptoError.certificateExpired(subject: "CN=x", notAfter: Date(timeIntervalSince1970: 0))
        #expect(expired.description == "certificate CN=x expired at 1970-01-01T00:00:00Z")
    }
}
