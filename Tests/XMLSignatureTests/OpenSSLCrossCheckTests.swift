import Foundation
import Testing
import XMLSignature

/// Interoperability with the `openssl` command line, in both directions.
@Suite struct OpenSSLCrossCheckTests {
    static let data = Array("<ds:SignedInfo>cross-check \u{4E2D}\u{6587}</ds:SignedInfo>".utf8)

    /// `openssl dgst` options for an algorithm (digest and, for SM2, the signer ID).
    static func dgstOptions(_ algorithm: SignatureAlgorithm) -> [String] {
        switch algorithm {
        case .rsaSHA1: return ["-sha1"]
        case .rsaSHA256, .ecdsaSHA256: return ["-sha256"]
        case .sm2SM3: return ["-sm3", "-sigopt", "distid:1234567812345678"]
        }
    }

    static func isEC(_ kind: KeyKind) -> Bool { kind == .ecP256 || kind == .sm2 }

    @Test(arguments: signingCases)
    func opensslVerifiesOurSignatures(kind: KeyKind, algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(kind)
        let scratch = try ScratchDirectory()
        let dataPath = try scratch.write("data", Self.data)
        let publicPath = try scratch.write("pub.pem", key.publicKey.pemRepresentation)
        let signature = try key.sign(Self.data, algorithm: algorithm)
        let wire = Self.isEC(kind) ? TestDER.ecdsaSignature(raw: signature) : signature
        let sigPath = try scratch.write("sig.der", wire)
        let ok = try openssl(["dgst"] + Self.dgstOptions(algorithm) + ["-verify", publicPath, "-signature", sigPath, dataPath])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("Verified OK"))

        var tampered = Self.data
        tampered[0] ^= 1
        let tamperedPath = try scratch.write("tampered", tampered)
        let bad = try openssl(["dgst"] + Self.dgstOptions(algorithm) + ["-verify", publicPath, "-signature", sigPath, tamperedPath])
        #expect(bad.status != 0)
    }

    @Test(arguments: signingCases)
    func weVerifyOpenSSLSignatures(kind: KeyKind, algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(kind)
        let scratch = try ScratchDirectory()
        let dataPath = try scratch.write("data", Self.data)
        let keyPath = try scratch.write("key.pem", key.pemRepresentation())
        let sigPath = scratch.path("sig.der")
        let signed = try openssl(["dgst"] + Self.dgstOptions(algorithm) + ["-sign", keyPath, "-out", sigPath, dataPath])
        #expect(signed.status == 0, "\(signed.output)")
        let der = try scratch.read("sig.der")
        let signature = Self.isEC(kind) ? TestDER.raw(ecdsaSignature: der) : der
        try key.publicKey.verify(signature: signature, over: Self.data, algorithm: algorithm)
        if kind == .sm2 {
            #expect(throws: CryptoError.signatureMismatch) {
                try key.publicKey.verify(signature: signature, over: Self.data, algorithm: algorithm, sm2SignerID: .empty)
            }
        }
    }

    @Test func opensslKeysLoad() throws {
        let scratch = try ScratchDirectory()
        let cases: [(String, [String], KeyKind)] = [
            ("sm2.pem", ["genpkey", "-algorithm", "SM2"], .sm2),
            ("p256.pem", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], .ecP256),
            ("rsa.pem", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], .rsa(bits: 1024)),
        ]
        for (name, arguments, kind) in cases {
            let result = try openssl(arguments + ["-out", scratch.path(name)])
            #expect(result.status == 0, "\(result.output)")
            let key = try PrivateKey(pem: String(decoding: try scratch.read(name), as: UTF8.self))
            #expect(key.kind == kind)
            // and the key's public half matches what openssl derives
            let pub = try openssl("pkey", "-in", scratch.path(name), "-pubout")
            #expect(try PublicKey(pem: pub.output).derRepresentation == key.publicKey.derRepresentation)
        }
        // Traditional ("EC PRIVATE KEY") P-256 key.
        let traditional = try openssl("ec", "-in", scratch.path("p256.pem"), "-out", scratch.path("p256-trad.pem"))
        #expect(traditional.status == 0)
        let trad = String(decoding: try scratch.read("p256-trad.pem"), as: UTF8.self)
        #expect(trad.contains("BEGIN EC PRIVATE KEY"))
        #expect(try PrivateKey(pem: trad).kind == .ecP256)
    }
}
