import Foundation
import Testing
import XMLSignature

@Suite struct SigningTests {
    static let message = Array("<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">…</ds:SignedInfo>".utf8)

    @Test(arguments: signingCases)
    func roundTripAndTamper(kind: KeyKind, algorithm: SignatureAlgorithm) throws {
        let key = TestKeys.key(kind)
        #expect(key.kind == kind)
        let signature = try key.sign(Self.message, algorithm: algorithm)
        switch kind {
        case .rsa(let bits): #expect(signature.count == bits / 8)
        default: #expect(signature.count == 64)  // raw r || s
        }
        let publicKey = key.publicKey
        #expect(publicKey.kind == kind)
        try publicKey.verify(signature: signature, over: Self.message, algorithm: algorithm)

        var tamperedData = Self.message
        tamperedData[3] ^= 0x01
        #expect(throws: CryptoError.signatureMismatch) {
            try publicKey.verify(signature: signature, over: tamperedData, algorithm: algorithm)
        }
        var tamperedSignature = signature
        tamperedSignature[signature.count - 1] ^= 0x80
        #expect(throws: CryptoError.signatureMismatch) {
            try publicKey.verify(signature: tamperedSignature, over: Self.message, algorithm: algorithm)
        }
        #expect(throws: (any Error).self) {
            try publicKey.verify(signature: Array(signature.dropLast()), over: Self.message, algorithm: algorithm)
        }
    }

    @Test func rsaSignaturesAreDeterministicAndAlgorithmBound() throws {
        let key = TestKeys.rsa2048
        let first = try key.sign(Self.message, algorithm: .rsaSHA256)
        #expect(try key.sign(Self.message, algorithm: .rsaSHA256) == first)
        #expect(throws: CryptoError.signatureMismatch) {
            try key.publicKey.verify(signature: first, over: Self.message, algorithm: .rsaSHA1)
        }
    }

    @Test func sm2SignerIDMustMatch() throws {
        let key = TestKeys.sm2
        let signature = try key.sign(Self.message, algorithm: .sm2SM3)
        try key.publicKey.verify(signature: signature, over: Self.message, algorithm: .sm2SM3, sm2SignerID: .gmtDefault)
        #expect(throws: CryptoError.signatureMismatch) {
            try key.publicKey.verify(signature: signature, over: Self.message, algorithm: .sm2SM3, sm2SignerID: .empty)
        }
        let custom = SM2SignerID("ALICE123@YAHOO.COM")
        let customSigned = try key.sign(Self.message, algorithm: .sm2SM3, sm2SignerID: custom)
        try key.publicKey.verify(signature: customSigned, over: Self.message, algorithm: .sm2SM3, sm2SignerID: custom)
        #expect(throws: CryptoError.signatureMismatch) {
            try key.publicKey.verify(signature: customSigned, over: Self.message, algorithm: .sm2SM3)
        }
    }

    @Test func keyAndAlgorithmMustFit() {
        #expect(throws: CryptoError.keyMismatch(algorithm: .ecdsaSHA256, key: .sm2)) {
            try TestKeys.sm2.sign(Self.message, algorithm: .ecdsaSHA256)
        }
        #expect(throws: CryptoError.keyMismatch(algorithm: .sm2SM3, key: .ecP256)) {
            try TestKeys.p256.sign(Self.message, algorithm: .sm2SM3)
        }
        #expect(throws: CryptoError.keyMismatch(algorithm: .rsaSHA256, key: .sm2)) {
            try TestKeys.sm2.publicKey.verify(signature: [UInt8](repeating: 1, count: 64), over: Self.message, algorithm: .rsaSHA256)
        }
        #expect(throws: CryptoError.unsupportedKey(.rsa(bits: 512))) {
            try PrivateKey.generate(kind: .rsa(bits: 512))
        }
    }

    @Test func emptyMessageSignsAndVerifies() throws {
        for (kind, algorithm) in signingCases {
            let key = TestKeys.key(kind)
            let signature = try key.sign([UInt8](), algorithm: algorithm)
            try key.publicKey.verify(signature: signature, over: [UInt8](), algorithm: algorithm)
        }
    }

    @Test func concurrentSigningWithOneKeyIsSafe() async throws {
        let key = TestKeys.sm2
        let publicKey = key.publicKey
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let data = Array("message \(index)".utf8)
                    let signature = try key.sign(data, algorithm: .sm2SM3)
                    try publicKey.verify(signature: signature, over: data, algorithm: .sm2SM3)
                    return true
                }
            }
            return try await group.reduce(into: 0) { count, ok in count += ok ? 1 : 0 }
        }
        #expect(results == 64)
    }
}
